package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// verifier checks the SigV4 signature of a @connections call against the
// credentials the local runtime hands to functions, so that a call the AWS
// API would refuse (unsigned, or signed for another service) is refused here.
type verifier struct {
	accessKeyID, secret, token, region string
	// signer caches the derived signing key per day, region and service.
	signer *v4.Signer
}

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKeyID, date, region, service string
	signedHeaders                      []string
	signature                          string
}

func parseAuthorization(h string) (authorization, error) {
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return authorization{}, errors.New("missing authentication token")
	}
	var a authorization
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" {
				return authorization{}, fmt.Errorf("malformed credential scope %q", v)
			}
			a.accessKeyID, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.accessKeyID == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return authorization{}, errors.New("malformed Authorization header")
	}
	return a, nil
}

// verify signs a copy of r with the expected secret and compares signatures.
func (v *verifier) verify(r *http.Request, body []byte) error {
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	if a.accessKeyID != v.accessKeyID {
		return fmt.Errorf("the security token included in the request is invalid: unknown access key %s", a.accessKeyID)
	}
	if a.service != "execute-api" {
		return fmt.Errorf("credential should be scoped to service execute-api, not %q", a.service)
	}
	if v.region != "" && a.region != v.region {
		return fmt.Errorf("credential should be scoped to a valid region, not %q", a.region)
	}
	signingTime, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return errors.New("missing or malformed X-Amz-Date")
	}
	if a.date != signingTime.Format("20060102") {
		return fmt.Errorf("credential should be scoped to the date of X-Amz-Date, not %s", a.date)
	}

	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	again := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}, ContentLength: r.ContentLength}
	for _, name := range a.signedHeaders {
		if name == "host" || name == "x-amz-date" || name == "x-amz-security-token" || name == "content-length" {
			continue // The signer adds these itself.
		}
		again.Header[http.CanonicalHeaderKey(name)] = r.Header.Values(name)
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: v.accessKeyID, SecretAccessKey: v.secret, SessionToken: v.token}
	if err := v.signer.SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), a.service, a.region, signingTime); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	want, err := parseAuthorization(again.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(want.signature), []byte(a.signature)) {
		return errors.New("the request signature we calculated does not match the signature you provided")
	}
	return nil
}
