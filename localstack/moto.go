package localstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// MotoServer is a moto server process owned by the caller.
type MotoServer struct {
	Endpoint string
	cmd      *exec.Cmd
	log      *bytes.Buffer
}

// StartMoto starts a private moto server on a free loopback port and waits until it answers.
// The moto executable comes from the project's virtual environment (created on first use by
// emulator.sh venv), or from PROVISIONER_MOTO_SERVER when set.
func StartMoto(ctx context.Context) (*MotoServer, error) {
	bin, err := motoBinary(ctx)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("start moto: %w", err)
	}
	var log bytes.Buffer
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto %s: %w", bin, err)
	}
	s := &MotoServer{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, log: &log}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := WaitReady(wctx, s.Endpoint); err != nil {
		s.Stop()
		return nil, fmt.Errorf("start moto: %w; output:\n%s", err, log.String())
	}
	return s, nil
}

// CPU is the processor time the server process has used so far (user and system), read from
// /proc: on a small machine the emulator, one Python process, can be what an apply waits for.
func (s *MotoServer) CPU() (time.Duration, error) {
	if s.cmd.Process == nil {
		return 0, errors.New("moto is not running")
	}
	return ProcessCPU(s.cmd.Process.Pid)
}

// ProcessCPU is the user and system time of process pid, from /proc/<pid>/stat (Linux).
func ProcessCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after its closing parenthesis are
	// state, ppid, …: utime and stime are the 14th and 15th of the line, the 12th and 13th here.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("read /proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("read /proc/%d/stat: unexpected format", pid)
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read /proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// userHZ is the unit of /proc's times: USER_HZ, 100 on every Linux the kernel ABI allows.
const userHZ = 100

// Stop ends the server process.
func (s *MotoServer) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

func motoBinary(ctx context.Context) (string, error) {
	if bin := os.Getenv("PROVISIONER_MOTO_SERVER"); bin != "" {
		return bin, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	venv := os.Getenv("PROVISIONER_MOTO_VENV")
	if venv == "" {
		venv = filepath.Join(root, ".venv-moto")
	}
	bin := filepath.Join(venv, "bin", "moto_server")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	// First use: let the start script build the venv so there is one way to do it.
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "localstack", "emulator.sh"), "venv")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("create moto venv: %w: %s", err, out)
	}
	return bin, nil
}

// RepoRoot finds the module root by walking up from the working directory to go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find repository root: no go.mod above the working directory")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
