package connections

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestEndpoint(t *testing.T) {
	tests := []struct {
		domain, stage, want string
	}{
		{"abc123.execute-api.ap-northeast-1.amazonaws.com", "prod", "https://abc123.execute-api.ap-northeast-1.amazonaws.com/prod"},
		{"ws.example.com", "dev", "https://ws.example.com/dev"},
		{"localhost:3001", "local", "http://localhost:3001/local"},
		{"127.0.0.1:3001", "local", "http://127.0.0.1:3001/local"},
		{"[::1]:3001", "local", "http://[::1]:3001/local"},
		{"localhost", "local", "http://localhost/local"},
		{"localhost.example.com:443", "prod", "https://localhost.example.com:443/prod"},
	}
	for _, tt := range tests {
		if got := Endpoint(tt.domain, tt.stage); got != tt.want {
			t.Errorf("Endpoint(%q, %q) = %q, want %q", tt.domain, tt.stage, got, tt.want)
		}
	}
}

func TestPoolReusesClients(t *testing.T) {
	p := NewPool(aws.Config{Region: "ap-northeast-1"})
	a := p.For("abc.execute-api.ap-northeast-1.amazonaws.com", "prod")
	if b := p.For("abc.execute-api.ap-northeast-1.amazonaws.com", "prod"); a != b {
		t.Error("a second event from the same API built a new client")
	}
	if c := p.For("abc.execute-api.ap-northeast-1.amazonaws.com", "dev"); c == a || c.Endpoint() != "https://abc.execute-api.ap-northeast-1.amazonaws.com/dev" {
		t.Errorf("another stage got client for %s", c.Endpoint())
	}
}
