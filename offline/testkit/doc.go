// Package testkit holds what tests of the offline gateway share, its own
// and those of an application served by it: waiting on a condition with a
// deadline, telling that a process has ended, and a raw WebSocket handshake
// for clients that send what a library never would.
//
// Everything here fails the test it is given, with the last reason it saw;
// nothing sleeps except between two looks at a condition.
package testkit
