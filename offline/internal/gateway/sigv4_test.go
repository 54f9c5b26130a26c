package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/coder/websocket"
)

// botocorePost posts data to connection id signed as botocore (the AWS CLI,
// boto3) signs it: host and x-amz-date, plus x-amz-security-token with
// session credentials, and no content-length.
func botocorePost(t *testing.T, base, id string, creds aws.Credentials, region string, at time.Time, data []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/local/@connections/"+url.PathEscape(id), nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "execute-api", region, at); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("Authorization"); !strings.Contains(got, "SignedHeaders=host;x-amz-date,") && !strings.Contains(got, "SignedHeaders=host;x-amz-date;x-amz-security-token,") {
		t.Fatalf("not signed as botocore signs: %s", got)
	}
	req.Body, req.ContentLength = http.NoBody, int64(len(data))
	req.Body = readCloser{bytes.NewReader(data)}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Message string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Message
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// TestSignatures: @connections takes any well-formed SigV4 signature for
// execute-api in the gateway's region, as an IAM principal's would be on
// AWS; the runtime's own key is checked exactly; old signatures are refused.
func TestSignatures(t *testing.T) {
	h := start(t, nil)
	c := h.dial(t, "/")
	id := connectionID(t, c)
	now := time.Now().UTC()
	foreign := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	runtime := aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret, SessionToken: testToken}
	tests := []struct {
		name        string
		creds       aws.Credentials
		region      string
		at          time.Time
		wantStatus  int
		wantMessage string
	}{
		{"a foreign key, botocore style", foreign, "ap-northeast-1", now, 200, ""},
		{"the runtime's key, botocore style", runtime, "ap-northeast-1", now, 200, ""},
		{"the runtime's key, a wrong secret", aws.Credentials{AccessKeyID: testKey, SecretAccessKey: "wrong", SessionToken: testToken}, "ap-northeast-1", now, 403,
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{"a foreign key, another region", foreign, "us-east-1", now, 403, "Credential should be scoped to a valid region. "},
		{"signed 400 days ago", foreign, "ap-northeast-1", now.Add(-400 * 24 * time.Hour), 403, "Signature expired: "},
		{"signed 16 minutes ahead", runtime, "ap-northeast-1", now.Add(16 * time.Minute), 403, "Signature not yet current: "},
		{"signed 14 minutes ago", runtime, "ap-northeast-1", now.Add(-14 * time.Minute), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, msg := botocorePost(t, h.srv.URL, id, tt.creds, tt.region, tt.at, []byte("hi"))
			if status != tt.wantStatus || !strings.HasPrefix(msg, tt.wantMessage) {
				t.Errorf("got %d %q, want %d %q", status, msg, tt.wantStatus, tt.wantMessage)
			}
			if status != 200 {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if typ, got, err := c.Read(ctx); err != nil || typ != websocket.MessageText || string(got) != "hi" {
				t.Errorf("client read %q %v", got, err)
			}
		})
	}
}
