package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"wsapi/authorizer/token"
	"wsapi/tools/smoke/probe"
)

// TestSmoke runs the smoke test the README gives for a deployed stage against
// the offline gateway: the probe package, then the command in both of its
// modes, and the command's failure when the API refuses it.
func TestSmoke(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)

	t.Run("probe", func(t *testing.T) {
		tok, err := token.Sign([]byte(testSecret), "smoke-probe", time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := probe.Run(t.Context(), probe.Config{URL: g.url, Token: tok, User: "smoke-probe", Out: &out}); err != nil {
			t.Fatalf("smoke test: %v\n%s", err, out.String())
		}
		t.Logf("\n%s", out.String())
	})

	bin := filepath.Join(t.TempDir(), "smoke")
	build := exec.Command("go", "build", "-o", bin, "./tools/smoke")
	build.Dir = projectDir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./tools/smoke: %v\n%s", err, out)
	}
	smoke := func(t *testing.T, secret string, args ...string) (string, error) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), bin, args...)
		cmd.Env = append(os.Environ(), "TOKEN_SECRET="+secret)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	step := regexp.MustCompile(`(?m)^ok +[a-z ]+ +\d+\.\d ms$`)

	t.Run("command, signing with the secret", func(t *testing.T) {
		out, err := smoke(t, testSecret, "-url", g.url)
		if err != nil {
			t.Fatalf("smoke -url %s: %v\n%s", g.url, err, out)
		}
		if n := len(step.FindAllString(out, -1)); n != 12 {
			t.Errorf("%d steps ok, want 12:\n%s", n, out)
		}
	})

	t.Run("command, with a token", func(t *testing.T) {
		tok, err := token.Sign([]byte(testSecret), "smoke-token", time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		out, err := smoke(t, "", "-url", g.url, "-token", tok)
		if err != nil {
			t.Fatalf("smoke -token: %v\n%s", err, out)
		}
		if !strings.Contains(out, " as smoke-token\n") || len(step.FindAllString(out, -1)) != 12 {
			t.Errorf("want 12 steps ok as smoke-token:\n%s", out)
		}
	})

	t.Run("command, refused", func(t *testing.T) {
		out, err := smoke(t, "a secret that is not the gateway's, 32+ bytes", "-url", g.url)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("smoke with the wrong secret: %v, want exit status 1\n%s", err, out)
		}
		if !strings.Contains(out, "FAIL  connect") || !strings.Contains(out, "want an open connection") || !strings.Contains(out, "403") {
			t.Errorf("want the connect step to fail with the 403 it got:\n%s", out)
		}
	})
}
