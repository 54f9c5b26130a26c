package fanout

import "testing"

func TestHTTPClient(t *testing.T) {
	if n := HTTPClient(25).GetTransport().MaxIdleConnsPerHost; n != 25 {
		t.Errorf("the transport keeps %d idle connections a host, want 25", n)
	}
}
