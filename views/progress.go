package views

import (
	"fmt"
	"io"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// The observers render whatever the engine's reconcile.Observer delivers: an event the
// engine adds is one method on each of the two types below.

var (
	ingVerb = map[reconcile.Action]string{reconcile.Create: "creating", reconcile.Update: "updating", reconcile.Replace: "replacing", reconcile.Delete: "deleting"}
	edVerb  = map[reconcile.Action]string{reconcile.Create: "created", reconcile.Update: "updated", reconcile.Replace: "replaced", reconcile.Delete: "deleted"}
)

// textObserver prints a line as each change starts, runs long, and finishes. Changes run
// concurrently: a line is written whole, under the lock.
type textObserver struct {
	mu sync.Mutex
	w  io.Writer
}

func (o *textObserver) line(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fmt.Fprintf(o.w, format+"\n", args...)
}

func (o *textObserver) Started(c reconcile.Change) {
	o.line("%s: %s...", c.Address, ingVerb[c.Action])
}

func (o *textObserver) Progress(c reconcile.Change, elapsed time.Duration) {
	o.line("%s: still %s... [%s elapsed]", c.Address, ingVerb[c.Action], elapsed.Round(time.Second))
}

func (o *textObserver) Finished(c reconcile.Change, err error, elapsed time.Duration) {
	if err != nil {
		o.line("%s: %s failed after %s: %v", c.Address, c.Action, round(elapsed), err)
		return
	}
	o.line("%s: %s in %s", c.Address, edVerb[c.Action], round(elapsed))
}

// Note prints what a kind reports during a long wait (network interfaces that still hold a
// security group, …).
func (o *textObserver) Note(c reconcile.Change, msg string) {
	o.line("%s: %s", c.Address, msg)
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// logObserver reports progress through the logger (stderr) when stdout carries JSON.
type logObserver struct{ log *zap.Logger }

func (o *logObserver) Started(c reconcile.Change) {
	o.log.Info("start", zap.String("address", c.Address), zap.String("action", string(c.Action)))
}

func (o *logObserver) Progress(c reconcile.Change, elapsed time.Duration) {
	o.log.Info("still running", zap.String("address", c.Address), zap.Duration("elapsed", elapsed))
}

func (o *logObserver) Note(c reconcile.Change, msg string) {
	o.log.Info("note", zap.String("address", c.Address), zap.String("message", msg))
}

func (o *logObserver) Finished(c reconcile.Change, err error, elapsed time.Duration) {
	o.log.Info("finish", zap.String("address", c.Address), zap.String("action", string(c.Action)),
		zap.Duration("elapsed", elapsed), zap.Error(err))
}
