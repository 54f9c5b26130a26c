// Sends one message of SIZE bytes in fragments of FRAGMENT bytes with the
// `ws` client, as wscat does with a large paste, without waiting between
// fragments, and prints how the connection closed as JSON:
// {"code":1009,"reason":"..."}.
// Usage: node fragments.js URL SIZE FRAGMENT
const path = require("path");
const WebSocket = require(path.join(process.env.NODE_MODULES, "ws"));

const [url, size, fragment] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const ws = new WebSocket(url);
ws.on("open", () => {
  const body = Buffer.alloc(size, "x");
  for (let off = 0; off < size; off += fragment) {
    const fin = off + fragment >= size;
    ws.send(body.subarray(off, off + fragment), { binary: false, fin }, () => {});
  }
});
ws.on("error", () => {});
ws.on("close", (code, reason) => {
  console.log(JSON.stringify({ code, reason: reason.toString() }));
});
