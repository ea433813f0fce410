;; FunctionBehaviour.counter: adds 1 to a global that starts at 0 and answers its value: 1 in every fresh instance.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $count (mut i32) (i32.const 0))
  (data (i32.const 16) "{\"status\":200,\"body\":\"")
  (data (i32.const 64) "\"}")
  ;; Writes len bytes at ptr to descriptor fd (iovec at 0, written count at 8).
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    ;; One digit is enough: anything but 1 is a failure.
    (i32.store8 (i32.const 100) (i32.add (i32.const 48) (global.get $count)))
    (call $write (i32.const 1) (i32.const 16) (i32.const 22))
    (call $write (i32.const 1) (i32.const 100) (i32.const 1))
    (call $write (i32.const 1) (i32.const 64) (i32.const 2))))
