package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/rs/zerolog"

	"wsapi/authorizer/token"
)

// secretSource picks where the signing secret comes from. TOKEN_SECRET, the
// secret itself, wins when set: it is for development and the offline
// gateway. Otherwise TOKEN_SECRET_PARAMETER names the SSM parameter, read
// through the client newClient makes (called only then, so that running
// offline needs no AWS configuration). With neither, every connection fails
// with a logged error.
func secretSource(log zerolog.Logger, getenv func(string) string, newClient func() ParameterClient) SecretSource {
	if s := getenv("TOKEN_SECRET"); s != "" {
		log.Warn().Msg("token secret taken from TOKEN_SECRET: for development and the offline gateway only")
		return StaticSecret(s)
	}
	if name := getenv("TOKEN_SECRET_PARAMETER"); name != "" {
		return NewParameterSecret(newClient(), name)
	}
	log.Error().Err(errNoSecret).Msg("config")
	return noSecret{}
}

// ParameterClient is the one SSM call the authorizer makes.
type ParameterClient interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// getParameter is the SSM client narrowed to GetParameter, holding the
// client in a closure: a type that reaches an interface, directly or through
// a field, keeps every exported method in the binary once anything reachable
// can call methods by name through reflect (protobuf, under the X-Ray SDK,
// can), and SSM's ~150 operations would add 0.55 MB to the zip (6.27 MB with
// them, 5.73 MB without, measured before the OpenTelemetry backend).
type getParameter func(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)

// newParameterClient returns the SSM client of cfg, as a ParameterClient.
func newParameterClient(cfg aws.Config) ParameterClient {
	return getParameter(ssm.NewFromConfig(cfg).GetParameter)
}

func (f getParameter) GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	return f(ctx, in, optFns...)
}

// ParameterSecret is the secret held in an SSM SecureString parameter: the
// parameter's value, byte for byte, is the HMAC key. It is read on first use
// and kept for the life of the container; a failed read is not kept, so the
// next connection tries again rather than the container failing until it is
// recycled.
type ParameterSecret struct {
	client ParameterClient
	name   string

	mu     sync.Mutex
	secret []byte
}

// NewParameterSecret returns the secret held in the parameter called name.
func NewParameterSecret(client ParameterClient, name string) *ParameterSecret {
	return &ParameterSecret{client: client, name: name}
}

// Secret returns the parameter's value, reading it if no read has succeeded yet.
func (p *ParameterSecret) Secret(ctx context.Context) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.secret != nil {
		return p.secret, nil
	}
	out, err := p.client.GetParameter(ctx, &ssm.GetParameterInput{
		Name:           aws.String(p.name),
		WithDecryption: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read SSM parameter %s: %w", p.name, err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return nil, fmt.Errorf("SSM parameter %s has no value", p.name)
	}
	// A plain String parameter would work, but the secret would show in
	// the console and in every describe call: refuse it so it gets fixed.
	if out.Parameter.Type != types.ParameterTypeSecureString {
		return nil, fmt.Errorf("SSM parameter %s is a %s, want a SecureString", p.name, out.Parameter.Type)
	}
	secret := []byte(*out.Parameter.Value)
	if len(secret) < token.MinSecretBytes {
		return nil, fmt.Errorf("SSM parameter %s: %w: need at least %d bytes, got %d", p.name, token.ErrWeakSecret, token.MinSecretBytes, len(secret))
	}
	p.secret = secret
	return secret, nil
}

// StaticSecret is a secret given directly, from TOKEN_SECRET: for
// development and the offline gateway, where there is no SSM. Deployed, the
// secret belongs in SSM, not in the function's environment where anyone who
// can read the function's configuration sees it.
type StaticSecret []byte

// Secret returns s.
func (s StaticSecret) Secret(context.Context) ([]byte, error) {
	if len(s) < token.MinSecretBytes {
		return nil, fmt.Errorf("TOKEN_SECRET: %w: need at least %d bytes, got %d", token.ErrWeakSecret, token.MinSecretBytes, len(s))
	}
	return s, nil
}

// errNoSecret is what every connection gets when nothing says where the
// secret is: a deployment fault, answered with 500 rather than 401 so that
// clients do not discard tokens that may be good.
var errNoSecret = errors.New("no token secret configured: set TOKEN_SECRET_PARAMETER (the SSM parameter's name) or, for development, TOKEN_SECRET")

type noSecret struct{}

func (noSecret) Secret(context.Context) ([]byte, error) { return nil, errNoSecret }
