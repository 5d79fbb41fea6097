// The comparison server for `fieldsync-bench js`: an automerge-repo 2.5.x sync server set up
// like automerge-repo-sync-server: a Repo with NodeFS storage and the WebSocket server
// adapter on a `ws` WebSocketServer, bound to 127.0.0.1 on a free port.
//
//   node server.mjs DATA_DIR [--announce]
//
// Prints `listening <port>` on stdout once accepting. Clients may sync any document they
// have or ask for (`access`: always). `announce` (default off, as in automerge-repo-sync-server)
// decides whether the server also pushes every document it holds to every connected client.
// Stops on SIGTERM/SIGINT after flushing its storage.
import { Repo } from "@automerge/automerge-repo"
import { NodeWSServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { WebSocketServer } from "ws"

const dir = process.argv[2]
if (!dir) {
  console.error("usage: node server.mjs DATA_DIR [--announce]")
  process.exit(2)
}
const announce = process.argv.includes("--announce")

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
await new Promise((resolve, reject) => {
  wss.once("listening", resolve)
  wss.once("error", reject)
})
const repo = new Repo({
  network: [new NodeWSServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(dir),
  peerId: `fieldsync-bench-js-server-${process.pid}`,
  shareConfig: {
    announce: async () => announce,
    access: async () => true,
  },
})
console.log(`listening ${wss.address().port}`)

// automerge-repo gives a document it is receiving 60 s to become ready (DocHandle.whenReady,
// `timeoutDelay`) and awaits that inside a promise nobody handles (DocSynchronizer.beginSync),
// so by Node's default one slow document ends the whole server. At 10,000 documents on a
// loaded 2-core machine it did, three times, during the untimed push. A sync server should
// not go down for one slow document: log each (the harness shows the server's stderr) and go
// on; whether that document then syncs is left to the client's own check (its heads).
let unhandled = 0
process.on("unhandledRejection", err => {
  unhandled += 1
  console.error(`unhandled rejection ${unhandled} (server kept running): ${err}`)
})

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  try {
    await repo.shutdown()
  } finally {
    wss.close()
    process.exit(0)
  }
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
