// Package hostbuild builds functions' bootstraps for this machine, as
// `make offline` does, and knows which functions a changed source file
// affects. The answer comes from Go's own build graph (`go list -deps` of
// each function's main package, with the build's tags), never from a list
// kept by hand: a function depends on a .go file when the file's directory
// is one of its packages, on a go.mod or go.sum when one of its packages
// is in that module, and on go.work and go.work.sum always.
package hostbuild
