// Package probe checks a live deployment of this WebSocket API step by step,
// as a client sees it: a connection with a token, hello, a message no route
// matches, bad input, a send to a user connected twice, both connections
// joining a room of the run's own, a broadcast from one to the other, both
// leaving, and handshakes with no token and with a forged one. Each step prints one line with its latency;
// [Run] stops at the first wrong answer and says what it wanted and what came.
//
// It needs a token for one user who has no other connection open (send
// counts every connection of that user). It forges its own bad token by
// signing the same claims with a secret of its own.
package probe
