// Package fit tells which model files fit this machine.
//
// It reads the machine's memory (SystemMemory), turns it into a Budget with
// headroom left for everything else, and analyses a repository's files
// (Analyze): size, quantization, and for GGUF files the header, read through
// ranged reads only, and a memory estimate from gguf.Estimate at a stated
// context length. The shards of a split GGUF model become one Entry. An
// entry fits when its estimate is at most the budget's usable part (see
// Budget). Recommend searches the Hub for coding models and picks the best
// file of each repository that fits, best first.
//
// fit does not speak HTTP itself: the caller passes an Opener that returns
// an io.ReaderAt over one file of the repository (hfhub.Client.ReaderAt in
// cmd/hfgate; any ReaderAt in tests), and for Recommend an hfgate.Hub.
// Results are plain structs with JSON tags, shared by the command line and
// the web app.
package fit
