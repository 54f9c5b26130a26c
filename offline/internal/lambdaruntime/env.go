package lambdaruntime

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// Dummy credentials given to every function in place of its execution
// role's. They let the AWS SDK sign requests, so the offline gateway can
// verify SigV4 on calls to its @connections API with the same values, and
// they make sure a developer's real credentials never reach a function.
const (
	AccessKeyID     = "ASIAOFFLINEGATEWAY00"
	SecretAccessKey = "offline-gateway-secret-access-key-000000"
	SessionToken    = "offline-gateway-session-token"
)

// AccountID is the account in every ARN the runtime hands out.
const AccountID = "000000000000"

// reservedEnv lists the keys Lambda sets itself and refuses in a function's
// configuration ("Reserved keys used in this request: ..."). The documented
// list, plus AWS_LAMBDA_MAX_CONCURRENCY: aws-lambda-go would run handlers in
// parallel inside one process if it were set, which Lambda (default) never does.
var reservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_MAX_CONCURRENCY",
	"LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ",
}

func checkReservedEnv(env map[string]string) error {
	var used []string
	for k := range env {
		if slices.Contains(reservedEnv, k) {
			used = append(used, k)
		}
	}
	if len(used) == 0 {
		return nil
	}
	slices.Sort(used)
	return fmt.Errorf("environment contains reserved keys that are not supported for modification: %v", used)
}

// processEnv builds a process's whole environment from nothing: the parent's
// is not inherited (real AWS credentials on a developer's machine must not
// leak in), except PATH so that a function can still run tools. Lambda's
// unreserved defaults come first so the function's own settings override
// them; the reserved keys come last and win.
func processEnv(opts Options, fn *Function, runtimeAPI, logStream string) []string {
	env := map[string]string{
		"PATH":                     os.Getenv("PATH"),
		"LANG":                     "en_US.UTF-8",
		"AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
		"AWS_XRAY_DAEMON_ADDRESS":  opts.XRayDaemonAddr,
	}
	maps.Copy(env, fn.Env)
	taskRoot := filepath.Dir(fn.Executable)
	for k, v := range map[string]string{
		"_HANDLER":                        "bootstrap",
		"AWS_REGION":                      opts.Region,
		"AWS_DEFAULT_REGION":              opts.Region,
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"AWS_LAMBDA_FUNCTION_NAME":        fn.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(fn.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + fn.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      logStream,
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"AWS_ACCESS_KEY_ID":               AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           SecretAccessKey,
		"AWS_SESSION_TOKEN":               SessionToken,
		"LAMBDA_TASK_ROOT":                taskRoot,
		"LAMBDA_RUNTIME_DIR":              taskRoot,
		"TZ":                              ":UTC",
	} {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// logStreamName has the shape of Lambda's: one stream per execution
// environment, named for its day, version and a random id.
func logStreamName(now time.Time) string {
	return now.UTC().Format("2006/01/02") + "/[$LATEST]" + randomHex(16)
}

// newRequestID returns a random (version 4) UUID, as Lambda's request ids are.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
