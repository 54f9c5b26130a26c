package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// maxClockSkew is how far from the gateway's clock a signature's
// X-Amz-Date may be, as AWS allows: older requests cannot be replayed.
const maxClockSkew = 15 * time.Minute

// amzDate is the form of X-Amz-Date.
const amzDate = "20060102T150405Z"

// verifier checks the SigV4 signature of a @connections call. On AWS any IAM
// principal allowed execute-api:ManageConnections may call; offline there
// is no IAM, so any well-formed signature for execute-api in the gateway's
// region is taken, and one made with the local runtime's own key, the only
// secret the gateway knows, is checked exactly.
type verifier struct {
	accessKeyID, secret, token, region string
	// signer caches the derived signing key per day, region and service.
	signer *v4.Signer
}

// signatureError is a refusal worded as AWS words it: the message the
// caller's SDK shows.
type signatureError string

func (e signatureError) Error() string { return string(e) }

func refuse(format string, args ...any) error { return signatureError(fmt.Sprintf(format, args...)) }

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKeyID, date, region, service string
	signedHeaders                      []string
	signature                          string
}

func parseAuthorization(h string) (authorization, error) {
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return authorization{}, refuse("Missing Authentication Token")
	}
	var a authorization
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" {
				return authorization{}, refuse("Authorization header requires a Credential of the form key/date/region/service/aws4_request, not %q", v)
			}
			a.accessKeyID, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	switch {
	case a.accessKeyID == "" || len(a.signedHeaders) == 0 || a.signature == "":
		return authorization{}, refuse("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'")
	case !slices.Contains(a.signedHeaders, "host"):
		return authorization{}, refuse("the host header must be signed")
	case len(a.signature) != 64 || strings.Trim(a.signature, "0123456789abcdef") != "":
		return authorization{}, refuse("the signature must be 64 lowercase hexadecimal digits")
	}
	return a, nil
}

// verify checks r's signature of body at now.
func (v *verifier) verify(ctx context.Context, r *http.Request, body []byte, now time.Time) error {
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	if a.service != "execute-api" {
		return refuse("Credential should be scoped to correct service: 'execute-api', not %q", a.service)
	}
	if v.region != "" && a.region != v.region {
		return refuse("Credential should be scoped to a valid region. The gateway's region is %s, not %q", v.region, a.region)
	}
	signingTime, err := time.Parse(amzDate, r.Header.Get("X-Amz-Date"))
	if err != nil || !slices.Contains(a.signedHeaders, "x-amz-date") {
		return refuse("a signed X-Amz-Date header of the form 20060102T150405Z is required")
	}
	if a.date != signingTime.Format("20060102") {
		return refuse("Credential should be scoped to the date of X-Amz-Date, %s, not %s", signingTime.Format("20060102"), a.date)
	}
	now = now.UTC()
	if signingTime.Before(now.Add(-maxClockSkew)) {
		return refuse("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			signingTime.Format(amzDate), now.Add(-maxClockSkew).Format(amzDate), now.Format(amzDate))
	}
	if signingTime.After(now.Add(maxClockSkew)) {
		return refuse("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			signingTime.Format(amzDate), now.Add(maxClockSkew).Format(amzDate), now.Format(amzDate))
	}
	if a.accessKeyID != v.accessKeyID {
		return nil // An IAM principal's: offline there is no secret to check it with.
	}
	return v.check(ctx, r, a, body, signingTime)
}

// check signs a request carrying exactly the headers r signed with the
// runtime's secret and compares signatures.
func (v *verifier) check(ctx context.Context, r *http.Request, a authorization, body []byte, signingTime time.Time) error {
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	again := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	creds := aws.Credentials{AccessKeyID: v.accessKeyID, SecretAccessKey: v.secret}
	for _, name := range a.signedHeaders {
		switch name {
		case "host", "x-amz-date":
			// The signer adds these itself.
		case "content-length":
			again.ContentLength = r.ContentLength
		case "x-amz-security-token":
			creds.SessionToken = r.Header.Get("X-Amz-Security-Token")
			if creds.SessionToken != v.token {
				return refuse("The security token included in the request is invalid.")
			}
		default:
			again.Header[http.CanonicalHeaderKey(name)] = r.Header.Values(name)
		}
	}
	sum := sha256.Sum256(body)
	if err := v.signer.SignHTTP(ctx, creds, again, hex.EncodeToString(sum[:]), a.service, a.region, signingTime); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	want, err := parseAuthorization(again.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	if !slices.Equal(want.signedHeaders, a.signedHeaders) {
		// The SDK's signer never signs User-Agent, Expect and a few others.
		return refuse("signed headers %s cannot be checked offline; sign %s", strings.Join(a.signedHeaders, ";"), strings.Join(want.signedHeaders, ";"))
	}
	if !hmac.Equal([]byte(want.signature), []byte(a.signature)) {
		return refuse("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}
