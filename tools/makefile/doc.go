// Package makefile holds the tests of the project's Makefile as a user meets
// it: what `make help` lists, and targets refusing what they cannot do right.
package makefile
