package connections

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
)

// writeCounter counts the writes made on the connections it dials.
type writeCounter struct {
	net.Conn
	writes *atomic.Int32
}

func (c writeCounter) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// A post reaches API Gateway as one write: headers and data together.
func TestPostIsOneWrite(t *testing.T) {
	srv, calls := fakeAPI(t, http.StatusOK, "", "")
	var writes atomic.Int32
	cfg := testConfig()
	var d net.Dialer
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			return writeCounter{Conn: c, writes: &writes}, err
		},
	}}
	c := New(cfg, srv.URL+"/prod")
	data := []byte(`{"message":"hello, taro!"}`)
	for i := range 3 {
		writes.Store(0)
		if err := c.Post(context.Background(), id, data); err != nil {
			t.Fatal(err)
		}
		if n := writes.Load(); n != 1 {
			t.Errorf("post %d took %d writes, want 1", i, n)
		}
	}
	if got := (*calls)[2].body; string(got) != string(data) {
		t.Errorf("API got %q, want %q", got, data)
	}
}
