package lambdaruntime

import (
	"strings"
	"testing"
)

func TestProcessEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
	t.Setenv("AWS_PROFILE", "prod")
	opts := Options{Region: "eu-central-1", XRayDaemonAddr: "127.0.0.1:2000"}
	fn := &Function{Name: "svc-dev-hello", Executable: "/srv/bin/hello/bootstrap", MemoryMB: 1024,
		Env: map[string]string{"LANG": "C.UTF-8", "TABLE": "t"}}
	env := map[string]string{}
	for _, kv := range processEnv(opts, fn, "127.0.0.1:4242", "stream") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	tests := []struct{ key, want string }{
		{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:4242"},
		{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"},
		{"AWS_LAMBDA_LOG_STREAM_NAME", "stream"},
		{"LAMBDA_TASK_ROOT", "/srv/bin/hello"},
		{"AWS_ACCESS_KEY_ID", AccessKeyID},
		{"AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR"},
		{"LANG", "C.UTF-8"}, // unreserved: the function's own value
		{"TABLE", "t"},
		{"AWS_PROFILE", ""}, // the parent's environment stays out
	}
	for _, tt := range tests {
		if env[tt.key] != tt.want {
			t.Errorf("%s = %q, want %q", tt.key, env[tt.key], tt.want)
		}
	}
}

func TestCheckReservedEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"TABLE": "x", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR", "PATH": "/bin"}, nil},
		{map[string]string{"TZ": "Europe/Paris", "_HANDLER": "x", "OK": "1"}, []string{"TZ", "_HANDLER"}},
		{map[string]string{"AWS_LAMBDA_MAX_CONCURRENCY": "4"}, []string{"AWS_LAMBDA_MAX_CONCURRENCY"}},
	}
	for _, tt := range tests {
		err := checkReservedEnv(tt.env)
		if (err == nil) != (tt.want == nil) {
			t.Errorf("checkReservedEnv(%v) = %v, want reserved %v", tt.env, err, tt.want)
			continue
		}
		for _, k := range tt.want {
			if !strings.Contains(err.Error(), k) {
				t.Errorf("error %q does not name %s", err, k)
			}
		}
	}
}
