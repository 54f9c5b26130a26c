package console

// Framework is where the framework's lines go when the gateway starts:
// printed, tagged serverless, and kept in Lines, for a reload to print
// only what the framework did not say before.
type Framework struct {
	out   *Console
	Lines []string
}

// NewFramework prints on out.
func NewFramework(out *Console) *Framework { return &Framework{out: out} }

// Write takes what the framework printed, keeping each write as one entry
// of Lines, as a reload compares them.
func (f *Framework) Write(p []byte) (int, error) {
	f.Lines = append(f.Lines, string(p))
	f.out.Print("serverless", p)
	return len(p), nil
}
