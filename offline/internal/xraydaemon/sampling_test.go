package xraydaemon

import (
	"testing"
	"time"
)

func TestSampler(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	type call struct {
		function string
		at       time.Duration // after t0
		coin     float64
		want     bool
	}
	tests := []struct {
		name  string
		all   bool
		calls []call
	}{
		{"first of each second, then 5%", false, []call{
			{"hello", 0, 0.99, true},
			{"hello", 100 * time.Millisecond, 0.99, false},
			{"hello", 200 * time.Millisecond, 0.05, false},
			{"hello", 300 * time.Millisecond, 0.049, true},
			{"hello", time.Second, 0.99, true},
			{"hello", 1500 * time.Millisecond, 0.99, false},
		}},
		{"a reservoir per function", false, []call{
			{"authorizer", 0, 0.99, true},
			{"onconnect", 10 * time.Millisecond, 0.99, true},
			{"hello", 20 * time.Millisecond, 0.99, true},
			{"hello", 30 * time.Millisecond, 0.99, false},
		}},
		{"all", true, []call{
			{"hello", 0, 0.99, true},
			{"hello", 1, 0.99, true},
			{"hello", 2, 0.99, true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var now time.Time
			var coin float64
			s := &Sampler{All: tt.all, clock: func() time.Time { return now }, coin: func() float64 { return coin }}
			for i, c := range tt.calls {
				now, coin = t0.Add(c.at), c.coin
				if got := s.Sample(c.function); got != c.want {
					t.Errorf("call %d (%s at +%v, coin %.3f): sampled %v, want %v", i, c.function, c.at, c.coin, got, c.want)
				}
			}
		})
	}
}

func TestSamplerRate(t *testing.T) {
	// One second of 10,000 invocations: 1 from the reservoir and about 500
	// by the 5% rate.
	now := time.Unix(1_800_000_000, 0)
	s := &Sampler{clock: func() time.Time { return now }}
	n := 0
	for range 10_000 {
		if s.Sample("hello") {
			n++
		}
	}
	if n < 400 || n > 600 {
		t.Errorf("sampled %d of 10,000, want about 501", n)
	}
}
