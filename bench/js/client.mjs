// A device for `fieldsync-bench js`: an automerge-repo 2.5.x Repo with its own NodeFS storage
// and the WebSocket client adapter, talking to server.mjs (through the bench's counting proxy).
//
//   node client.mjs push      URL STORAGE_DIR DOCS_DIR URLS_OUT [--wait-go]
//   node client.mjs reconnect URL STORAGE_DIR URLS_FILE
//   node client.mjs edit      -   STORAGE_DIR URLS_FILE INDEX CHANGE_FILE
//
// push: imports every `*.am` file of DOCS_DIR (Automerge `save()` bytes, sorted by name) with
//   `repo.import(bytes)` and waits until the server has every document; writes the documents'
//   automerge URLs (same order) as a JSON array to URLS_OUT. With --wait-go it connects,
//   prints `ready`, and starts importing when a line arrives on stdin (so many processes can
//   be released together).
// reconnect: a device that holds the documents of URLS_FILE in STORAGE_DIR starts, loads them
//   (`repo.find`), connects, and waits until every one is in sync with the server.
// edit: offline, applies the Automerge change bytes of CHANGE_FILE to document INDEX of
//   URLS_FILE and writes it to storage (the edit `one-edit` then syncs).
//
// "The server has the document" is automerge-repo's own signal: the Repo records the heads
// the server reported in its sync messages (`handle.getSyncInfo(serverStorageId).lastHeads`,
// event `remote-heads`); a document is synced when those equal the handle's heads.
// push and reconnect print one JSON object on stdout last: {docs, wall_s, ...}.
//
// push imports in batches of BATCH documents and lets a batch sync while it imports the next
// (at most two batches unconfirmed), instead of importing everything in one synchronous loop
// first. The one loop could not finish 10,000 documents: nothing is sent to the server until
// the loop yields, and each `repo.import` gets slower as the Repo grows. Once Automerge's WASM
// memory passes ~64 MB (about 1,500 documents in one Repo here), Node 20's V8 collects garbage
// for "external memory pressure" on nearly every allocation (`node --trace-gc`: one scavenge
// per import, and a mark-compact over the whole heap of DocHandles every few imports), so an
// import costs ~0.5 ms at first and 30 to 70 ms later. Batching does not remove that cost (it
// is automerge-repo's and V8's, and the server and `reconnect` pay it too), but the server
// works while the client imports, as it would for a real client adding documents over time.
// Batches are small (100) to keep few documents in flight at the server, which gives each
// document it is receiving 60 s to arrive (`DocHandle.whenReady`, `timeoutDelay`) and exits on
// the unhandled rejection past that (see server.mjs): on a loaded machine it did with 500 per
// batch, and once with 100. Every document still goes through `repo.import` and the same
// sync; `initial`'s 200 documents per device are two batches.
import fs from "node:fs"
import path from "node:path"
import readline from "node:readline"
import * as A from "@automerge/automerge"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const [mode, url, storageDir, ...rest] = process.argv.slice(2)
const now = () => performance.now() / 1000
/** Documents `push` imports before it lets them sync (see the header). */
const BATCH = 100

const sameHeads = (a, b) => {
  if (!a || !b || a.length !== b.length) return false
  const x = [...a].sort()
  const y = [...b].sort()
  return x.every((h, i) => h === y[i])
}

/** Resolves when the server (storage id `sid`) reports the handle's current heads. */
const synced = (handle, sid) =>
  new Promise(resolve => {
    const check = () => {
      if (sameHeads(handle.getSyncInfo(sid)?.lastHeads, handle.heads())) {
        handle.off("remote-heads", check)
        resolve()
      }
    }
    handle.on("remote-heads", check)
    check()
  })

/** The server's storage id, once connected to it. */
const serverStorageId = repo =>
  new Promise(resolve => {
    const done = () => {
      const peer = repo.peers[0]
      const sid = peer && repo.getStorageIdOfPeer(peer)
      if (sid) {
        clearInterval(timer)
        resolve(sid)
      }
    }
    const timer = setInterval(done, 5)
    done()
  })

const connectedRepo = () =>
  new Repo({
    network: [new WebSocketClientAdapter(url, 1000)],
    storage: new NodeFSStorageAdapter(storageDir),
  })

/** Lets throttled sync-state saves land, then flushes and exits. */
const finish = async (repo, result) => {
  console.log(JSON.stringify(result))
  await new Promise(r => setTimeout(r, 500))
  await repo.shutdown()
  process.exit(0)
}

if (mode === "push") {
  const [docsDir, urlsOut, ...flags] = rest
  const files = fs
    .readdirSync(docsDir)
    .filter(f => f.endsWith(".am"))
    .sort()
  const blobs = files.map(f => fs.readFileSync(path.join(docsDir, f)))
  const repo = connectedRepo()
  const sid = await serverStorageId(repo)
  if (flags.includes("--wait-go")) {
    console.log("ready")
    const lines = readline.createInterface({ input: process.stdin })
    await new Promise(resolve => lines.once("line", resolve))
    lines.close()
  }
  const t0 = now()
  const handles = []
  let importS = 0
  // At most two batches unconfirmed: import batch k+1 while batch k syncs, then wait for k.
  const unconfirmed = []
  for (let i = 0; i < blobs.length; i += BATCH) {
    const started = now()
    const batch = blobs.slice(i, i + BATCH).map(bytes => repo.import(bytes))
    importS += now() - started
    handles.push(...batch)
    unconfirmed.push(Promise.all(batch.map(h => synced(h, sid))))
    if (unconfirmed.length > 1) await unconfirmed.shift()
  }
  await Promise.all(unconfirmed)
  const wall = now() - t0
  fs.writeFileSync(urlsOut, JSON.stringify(handles.map(h => h.url)))
  await finish(repo, {
    mode,
    docs: handles.length,
    bytes: blobs.reduce((n, b) => n + b.length, 0),
    wall_s: wall,
    import_s: importS,
    t0_unix_ms: performance.timeOrigin + t0 * 1000,
  })
} else if (mode === "reconnect") {
  const [urlsFile] = rest
  const urls = JSON.parse(fs.readFileSync(urlsFile, "utf8"))
  const t0 = now()
  const repo = connectedRepo()
  const handles = await Promise.all(urls.map(u => repo.find(u)))
  const loaded = now()
  const sid = await serverStorageId(repo)
  const connected = now()
  await Promise.all(handles.map(h => synced(h, sid)))
  const wall = now() - t0
  await finish(repo, {
    mode,
    docs: handles.length,
    wall_s: wall,
    load_s: loaded - t0,
    connected_s: connected - t0,
  })
} else if (mode === "edit") {
  const [urlsFile, index, changeFile] = rest
  const urls = JSON.parse(fs.readFileSync(urlsFile, "utf8"))
  const change = fs.readFileSync(changeFile)
  const repo = new Repo({ network: [], storage: new NodeFSStorageAdapter(storageDir) })
  const handle = await repo.find(urls[Number(index)])
  const before = handle.heads()
  handle.update(doc => A.loadIncremental(doc, change))
  if (sameHeads(before, handle.heads())) {
    console.error("edit: the change did not apply")
    process.exit(1)
  }
  await repo.flush()
  console.log(JSON.stringify({ mode, edited: handle.url }))
  process.exit(0)
} else {
  console.error("usage: node client.mjs push|reconnect|edit URL STORAGE_DIR ...")
  process.exit(2)
}
