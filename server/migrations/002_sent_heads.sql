-- 002: what the server last sent each device, so the device's cursor can acknowledge it.
-- sent_seq/sent_heads: the document's seq and heads when the server last sent it to the
-- device. Once the device's cursor reaches sent_seq, the device holds sent_heads, and they
-- become the shared heads of the next message (a pull-only device never acknowledges
-- otherwise, and would get whole documents again).
ALTER TABLE sync_states ADD COLUMN sent_seq INTEGER;
ALTER TABLE sync_states ADD COLUMN sent_heads TEXT;
