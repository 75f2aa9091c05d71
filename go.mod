module github.com/parleybot/parley

go 1.26.0

require go.uber.org/zap v1.28.0

require (
	github.com/stretchr/testify v1.11.1 // indirect
	go.uber.org/multierr v1.10.0 // indirect
)
