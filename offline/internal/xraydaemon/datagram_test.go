package xraydaemon

import (
	"errors"
	"io"
	"strings"
	"testing"

	"wsapi/offline/internal/console"
)

const (
	hdr   = `{"format": "json", "version": 1}` + "\n"
	trace = "1-5759e988-bd862e3fe1be46a994272793"
)

func TestParseDatagram(t *testing.T) {
	tests := []struct {
		name string
		in   string
		// want lists id<parent per entry, in order; empty means malformed.
		want []string
	}{
		{
			name: "subsegment emitted alone",
			in:   hdr + `{"trace_id":"` + trace + `","id":"a1","parent_id":"f0","type":"subsegment","name":"PostToConnection","start_time":1700000000.5,"end_time":1700000000.7}`,
			want: []string{"a1<f0"},
		},
		{
			// The SDK sets parent_id of inline subsegments to the facade
			// segment; nesting must follow the document instead.
			name: "inline subsegments nest by position",
			in: hdr + `{"trace_id":"` + trace + `","id":"a1","parent_id":"f0","type":"subsegment","name":"outer","start_time":1,"end_time":3,` +
				`"subsegments":[{"id":"b1","parent_id":"f0","name":"mid","start_time":1.5,"end_time":2.5,` +
				`"subsegments":[{"id":"c1","parent_id":"f0","name":"inner","start_time":2,"end_time":2.1}]}]}`,
			want: []string{"a1<f0", "b1<a1", "c1<b1"},
		},
		{
			name: "segment without parent",
			in:   hdr + `{"trace_id":"` + trace + `","id":"s1","name":"api","start_time":1,"in_progress":true}`,
			want: []string{"s1<"},
		},
		{
			name: "unknown fields ignored",
			in:   hdr + `{"trace_id":"` + trace + `","id":"a1","parent_id":"f0","type":"subsegment","name":"x","start_time":1,"end_time":2,"metadata":{"k":{"v":[1,2]}},"sql":{}}`,
			want: []string{"a1<f0"},
		},
		{name: "empty", in: ""},
		{name: "header only", in: hdr},
		{name: "no header", in: `{"trace_id":"` + trace + `","id":"a1","name":"x","start_time":1}`},
		{name: "wrong version", in: `{"format": "json", "version": 2}` + "\n" + `{"trace_id":"` + trace + `","id":"a1","name":"x","start_time":1}`},
		{name: "header not json", in: "hello\n{}"},
		{name: "body not json", in: hdr + `{"trace_id":`},
		{name: "trailing garbage", in: hdr + `{"trace_id":"` + trace + `","id":"a1","name":"x","start_time":1} {}`},
		{name: "wrong field type", in: hdr + `{"trace_id":"` + trace + `","id":"a1","name":7,"start_time":1}`},
		{name: "missing trace id", in: hdr + `{"id":"a1","name":"x","start_time":1}`},
		{name: "bad trace id", in: hdr + `{"trace_id":"1-5759e988-BD862E3FE1BE46A994272793","id":"a1","name":"x","start_time":1}`},
		{name: "missing id", in: hdr + `{"trace_id":"` + trace + `","name":"x","start_time":1}`},
		{name: "missing name", in: hdr + `{"trace_id":"` + trace + `","id":"a1","start_time":1}`},
		{name: "subsegment without parent", in: hdr + `{"trace_id":"` + trace + `","id":"a1","type":"subsegment","name":"x","start_time":1}`},
		{name: "missing start", in: hdr + `{"trace_id":"` + trace + `","id":"a1","name":"x"}`},
		{name: "ends before start", in: hdr + `{"trace_id":"` + trace + `","id":"a1","name":"x","start_time":5,"end_time":4}`},
		{name: "absurd time", in: hdr + `{"trace_id":"` + trace + `","id":"a1","name":"x","start_time":1e300}`},
		{name: "inline child without id", in: hdr + `{"trace_id":"` + trace + `","id":"a1","name":"x","start_time":1,"subsegments":[{"name":"y","start_time":1}]}`},
		{name: "nested too deep", in: hdr + `{"trace_id":"` + trace + `","id":"a0","name":"x","start_time":1,"subsegments":[` + deep(maxDepth+1) + `]}`},
		{name: "json nested beyond decoder limit", in: hdr + strings.Repeat("[", 20000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, entries, err := parseDatagram([]byte(tt.in))
			if tt.want == nil {
				if !errors.Is(err, errMalformed) {
					t.Fatalf("err = %v, want errMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if id != trace {
				t.Errorf("trace id = %q", id)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.node.ID+"<"+e.parent)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("entries = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseDatagramFields(t *testing.T) {
	in := hdr + `{"trace_id":"` + trace + `","id":"a1","parent_id":"f0","type":"subsegment","name":"ApiGatewayManagementApi",` +
		`"namespace":"aws","start_time":1700000000.25,"end_time":1700000000.5,"fault":true,"error":true,"throttle":true,` +
		`"cause":{"working_directory":"/var/task","exceptions":[{"id":"e1","type":"*errors.errorString","message":"gone"}]},` +
		`"http":{"response":{"status":410,"content_length":0}},"aws":{"operation":"PostToConnection","region":"us-east-1"},` +
		`"annotations":{"route":"hello","bytes":27,"ok":false,"bad":{"nested":1}}}`
	_, entries, err := parseDatagram([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	n := entries[0].node
	checks := []struct {
		what      string
		got, want any
	}{
		{"name", n.Name, "ApiGatewayManagementApi"},
		{"namespace", n.Namespace, "aws"},
		{"operation", n.Operation, "PostToConnection"},
		{"status", n.HTTPStatus, 410},
		{"fault", n.Fault, true},
		{"error", n.Error, true},
		{"throttle", n.Throttle, true},
		{"cause", n.Cause, "gone"},
		{"duration", n.Duration().Milliseconds(), int64(250)},
		{"in progress", n.InProgress, false},
		{"route", n.Annotations["route"], "hello"},
		{"bytes", n.Annotations["bytes"], 27.0},
		{"ok", n.Annotations["ok"], false},
		{"object annotation dropped", len(n.Annotations), 3},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestCauseMessage(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, ""},
		{`"a1b2c3d4e5f60718"`, ""}, // a reference to an exception id, no message
		{`{"exceptions":[]}`, ""},
		{`{"exceptions":[{"type":"Timeout"}]}`, "Timeout"},
		{`{"exceptions":[{"message":""},{"type":"T","message":"second"}]}`, "second"},
		{`{"exceptions":"nope"}`, ""},
	}
	for _, tt := range tests {
		if got := causeMessage([]byte(tt.in)); got != tt.want {
			t.Errorf("causeMessage(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// deep nests n subsegments inside each other.
func deep(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(`,"subsegments":[`)
		}
		b.WriteString(`{"id":"d` + strings.Repeat("x", i%3+1) + `","name":"n","start_time":1`)
	}
	for i := range n {
		if i > 0 {
			b.WriteString("]")
		}
		b.WriteString("}")
	}
	return b.String()
}

func FuzzParseDatagram(f *testing.F) {
	seeds := []string{
		hdr + `{"trace_id":"` + trace + `","id":"a1","parent_id":"f0","type":"subsegment","name":"x","start_time":1,"end_time":2}`,
		hdr + `{"trace_id":"` + trace + `","id":"a1","parent_id":"f0","type":"subsegment","name":"x","start_time":1,"end_time":2,"subsegments":[{"id":"b","name":"y","start_time":1.5,"end_time":1.6,"annotations":{"k":"v","n":1}}]}`,
		hdr + `{"trace_id":"` + trace + `","id":"a1","name":"x","start_time":1,"in_progress":true,"cause":{"exceptions":[{"message":"m"}]},"http":{"response":{"status":500}}}`,
		hdr + `{"trace_id":"` + trace + `","id":"a1","name":"x","start_time":1,"subsegments":[` + deep(maxDepth+2) + `]}`,
		hdr + `{"trace_id":"` + trace + `","id":"a1","name":"x","start_time":5,"end_time":4}`,
		hdr + `{"trace_id":null}`,
		hdr + `[]`,
		hdr,
		"\n",
		"",
		`{"format": "json", "version": 1}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		id, entries, err := parseDatagram(b)
		if err != nil {
			if !errors.Is(err, errMalformed) {
				t.Fatalf("error %v does not wrap errMalformed", err)
			}
			return
		}
		if !validTraceID(id) || len(entries) == 0 {
			t.Fatalf("accepted trace %q with %d entries", id, len(entries))
		}
		for _, e := range entries {
			if e.node.ID == "" || e.node.Name == "" || e.node.Start.IsZero() {
				t.Fatalf("accepted entry %+v", e.node)
			}
			if !e.node.InProgress && e.node.Duration() < 0 {
				t.Fatalf("negative duration %+v", e.node)
			}
		}
		// Whatever was accepted must assemble and render.
		m := make(map[string]*entry, len(entries))
		for _, e := range entries {
			m[e.node.ID] = &e
		}
		if err := console.RenderTrace(io.Discard, buildTrace(id, m, 0)); err != nil {
			t.Fatal(err)
		}
	})
}
