// Package testkit holds what the offline gateway's tests share: waiting on a
// condition with a deadline, telling that a process has ended, a temporary
// copy of the project to run the gateway on, and a raw WebSocket handshake
// for clients that send what a library never would.
//
// Everything here fails the test it is given, with the last reason it saw;
// nothing sleeps except between two looks at a condition.
package testkit
