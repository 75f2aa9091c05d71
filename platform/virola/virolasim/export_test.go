package virolasim

import (
	"context"
	"io"
)

// RunSim runs "parley sim virola" for tests.
func RunSim(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	return run(ctx, args, stdin, stdout, io.Discard)
}
