package dynamolocal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"wsapi/offline/internal/childproc"
)

// Options say where dynalite is installed and where it keeps its tables.
type Options struct {
	// ProjectDir holds node_modules/dynalite, as `npm ci` installs it from
	// the project's package.json; "" is the working directory.
	ProjectDir string
	// DataDir is where dynalite keeps its tables (LevelDB), so that they
	// outlive the gateway; "" keeps them in memory for one run.
	DataDir string
	// Log gets dynalite's own output, one line per Write; nil discards it.
	Log io.Writer
	// OnExit is called once, with why, if dynalite exits on its own once
	// started: every DynamoDB call of the functions fails from then on, so
	// the gateway must say so.
	OnExit func(error)
}

// ErrNotInstalled is what Start's error wraps when Node.js or dynalite is
// missing.
var ErrNotInstalled = errors.New("dynalite is not installed")

const (
	// startTimeout bounds a start; dynalite answers in well under a second.
	startTimeout = 30 * time.Second
	// stopGrace is how long Close waits after SIGTERM before SIGKILL.
	stopGrace = 5 * time.Second
	pollEvery = 20 * time.Millisecond
	// tailLines of dynalite's output are kept to explain why it exited.
	tailLines = 20
	// startAttempts covers another program taking the chosen port between
	// the moment it is found free and the moment dynalite binds it.
	startAttempts = 3
)

// Server is one dynalite process serving the DynamoDB API on loopback.
type Server struct {
	endpoint string
	dataDir  string
	cmd      *exec.Cmd
	exited   chan struct{} // closed once cmd.Wait has returned
	waitErr  error         // cmd.Wait's result, set before exited is closed
	drained  chan struct{} // closed once all of the output has been read
	tail     []string      // the last lines of output, read only after drained

	closeOnce sync.Once
	closeErr  error
	closing   atomic.Bool
}

// Start runs dynalite on a free port of 127.0.0.1 and returns once it
// answers ListTables. The process runs in its own process group and, on
// Linux, dies with the caller even if the caller is killed; Close stops it.
// ctx bounds the start only, not the server's life.
func Start(ctx context.Context, opts Options) (*Server, error) {
	node, script, err := locate(opts.ProjectDir)
	if err != nil {
		return nil, err
	}
	if opts.DataDir != "" {
		if opts.DataDir, err = filepath.Abs(opts.DataDir); err != nil {
			return nil, fmt.Errorf("dynalite data directory: %w", err)
		}
		// LevelDB creates its own directory but not the ones above it.
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("dynalite data directory: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := start(ctx, node, script, port, opts)
		if err == nil || !errors.Is(err, errPortTaken) || attempt == startAttempts {
			return s, err
		}
	}
}

// Endpoint is the server's URL, http://127.0.0.1:PORT, as AWS SDKs take it
// in AWS_ENDPOINT_URL_DYNAMODB.
func (s *Server) Endpoint() string { return s.endpoint }

// Close stops dynalite and whatever it started, and waits until they are
// gone. It reports an error if dynalite had already exited on its own.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closing.Store(true)
		s.closeErr = s.stop()
	})
	return s.closeErr
}

var errPortTaken = errors.New("port taken")

func locate(projectDir string) (node, script string, err error) {
	dir, err := filepath.Abs(projectDir)
	if err != nil {
		return "", "", fmt.Errorf("project directory: %w", err)
	}
	script = filepath.Join(dir, "node_modules", "dynalite", "cli.js")
	if _, err := os.Stat(script); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("%w in %s: run `npm ci` there (make offline does it)", ErrNotInstalled, dir)
		}
		return "", "", fmt.Errorf("dynalite: %w", err)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		return "", "", fmt.Errorf("%w: it needs Node.js 20 or later, and node is not on PATH (%w)", ErrNotInstalled, err)
	}
	return node, script, nil
}

// freePort asks the kernel for a port nobody uses. dynalite's CLI cannot
// be told to pick one itself: it reads --port 0 as "unset" and takes 4567.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port for dynalite: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func start(ctx context.Context, node, script string, port int, opts Options) (*Server, error) {
	args := []string{script,
		"--host", "127.0.0.1", // dynalite listens on every interface unless told
		"--port", strconv.Itoa(port),
		// CloudFormation hands functions a table only once it is ACTIVE,
		// so dynalite's default half second in CREATING only slows a start.
		"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0",
	}
	if opts.DataDir != "" {
		args = append(args, "--path", opts.DataDir)
	}
	cmd := exec.Command(node, args...)
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("dynalite output pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	err = childproc.Start(cmd)
	w.Close() // the child has its own copy; the read end sees EOF when it exits
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("start dynalite: %w", err)
	}
	s := &Server{
		endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		dataDir:  opts.DataDir,
		cmd:      cmd,
		exited:   make(chan struct{}),
		drained:  make(chan struct{}),
	}
	go s.copyOutput(r, opts.Log)
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	if opts.OnExit != nil {
		go func() {
			<-s.exited
			if !s.closing.Load() {
				opts.OnExit(s.exitError("dynalite exited"))
			}
		}()
	}
	return s, nil
}

func (s *Server) copyOutput(r *os.File, log io.Writer) {
	defer close(s.drained)
	defer r.Close()
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if log != nil {
				_, _ = log.Write(line)
			}
			if len(s.tail) == tailLines {
				s.tail = s.tail[1:]
			}
			s.tail = append(s.tail, strings.TrimRight(string(line), "\n"))
		}
		if err != nil {
			return
		}
	}
}

// waitReady polls ListTables rather than waiting for dynalite's "listening"
// line: with --path, the database opens after the socket, and a database
// another process holds fails only on the first request.
func (s *Server) waitReady(ctx context.Context) error {
	// A request must not outlive the process: if another program holds the
	// port, dynalite exits while the request waits on that program.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	client := newClient(s.endpoint)
	noRetry := func(o *dynamodb.Options) { o.Retryer = aws.NopRetryer{} }
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		_, err := client.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)}, noRetry)
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return s.exitError("dynalite exited while starting")
		case <-ctx.Done():
			if s.hasExited() {
				return s.exitError("dynalite exited while starting")
			}
			return fmt.Errorf("dynalite did not answer on %s: %w (last error: %w)", s.endpoint, ctx.Err(), err)
		case <-tick.C:
		}
	}
}

func (s *Server) hasExited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// levelNotOpen is how dynalite dies when its LevelDB store did not open.
var levelNotOpen = regexp.MustCompile(`LEVEL_[A-Z_]*NOT_OPEN|LEVEL_LOCKED`)

// exitError explains an exit the caller did not ask for, from the last
// lines dynalite wrote.
func (s *Server) exitError(what string) error {
	s.killGroup()
	<-s.drained
	return explainExit(fmt.Errorf("%s (%w)", what, s.waitErr), strings.Join(s.tail, "\n"), s.dataDir)
}

// explainExit names what made dynalite exit with err, from its last output.
func explainExit(err error, out, dataDir string) error {
	switch {
	case strings.Contains(out, "EADDRINUSE"):
		return fmt.Errorf("%w: %w", err, errPortTaken)
	case dataDir != "" && levelNotOpen.MatchString(out):
		// LevelDB's lock error is lost on the way: depending on timing, the
		// first call on the unopened store fails (LEVEL_DATABASE_NOT_OPEN,
		// LEVEL_ITERATOR_NOT_OPEN) and a stack trace follows.
		return fmt.Errorf("%w: it could not open %s: is another gateway using it?", err, dataDir)
	case out != "":
		return fmt.Errorf("%w; its last output:\n%s", err, out)
	}
	return err
}

func (s *Server) stop() error {
	if s.hasExited() {
		return s.exitError("dynalite had exited")
	}
	pid := s.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	grace := time.NewTimer(stopGrace)
	defer grace.Stop()
	select {
	case <-s.exited:
	case <-grace.C:
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-s.exited
	}
	s.killGroup()
	<-s.drained
	return nil
}

// killGroup ends whatever dynalite left in its process group; ESRCH, the
// usual answer, means nothing was left.
func (s *Server) killGroup() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
}

// newClient talks to a local DynamoDB API. Credentials are dummies that are
// never the caller's: dynalite wants a signed request but checks no
// signature, and a real account must never be reachable from here.
func newClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}
