;; FunctionBehaviour.logs: three log lines on stderr (the last without a line end), then a response.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "first line\0asecond line\0d\0ano newline")
  (data (i32.const 128) "{\"status\": 200, \"body\": \"logged\"}")
  ;; Writes len bytes at ptr to descriptor fd (iovec at 0, written count at 8).
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $write (i32.const 2) (i32.const 16) (i32.const 34))
    (call $write (i32.const 1) (i32.const 128) (i32.const 33))))
