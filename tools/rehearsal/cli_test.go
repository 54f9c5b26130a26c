package rehearsal

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// region is serverless.yml's default, which the rehearsal keeps.
const region = "ap-northeast-1"

// serverless runs the project's pinned CLI in a workspace, as a user types
// it (`npx --no-install serverless …`), pointed at the AWS API on loopback.
type serverless struct {
	dir string
	env []string
}

func newServerless(t *testing.T, dir, endpoint string) serverless {
	t.Helper()
	// Nothing of a developer's AWS set-up may reach the CLI: no profile, no
	// credentials file, no real keys; every SDK client of the CLI goes to
	// endpoint (AWS_ENDPOINT_URL).
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	none := t.TempDir() + "/none"
	env = append(env,
		"AWS_ENDPOINT_URL="+endpoint,
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION="+region, "AWS_DEFAULT_REGION="+region,
		"AWS_CONFIG_FILE="+none, "AWS_SHARED_CREDENTIALS_FILE="+none,
		"SLS_TELEMETRY_DISABLED=1", "SLS_NOTIFICATIONS_MODE=off", "NO_COLOR=1", "FORCE_COLOR=0",
	)
	return serverless{dir: dir, env: env}
}

// run runs `serverless args…` and returns what it printed, how long it
// took, and its error.
func (s serverless) run(t *testing.T, args ...string) (string, time.Duration, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "npx", append([]string{"--no-install", "serverless"}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = s.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	t.Logf("serverless %s: %.1f s", strings.Join(args, " "), took.Seconds())
	return out.String(), took, err
}

// must runs `serverless args…` and fails the test, with its output, if it
// fails.
func (s serverless) must(t *testing.T, args ...string) (string, time.Duration) {
	t.Helper()
	out, took, err := s.run(t, args...)
	if err != nil {
		t.Fatalf("serverless %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out, took
}
