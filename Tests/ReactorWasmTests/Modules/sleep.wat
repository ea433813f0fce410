;; Asks poll_oneoff to sleep 10 seconds and answers the errno (52, ENOSYS: the sandbox has no poll).
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"status\":200,\"body\":\"")
  (data (i32.const 64) "\"}")
  ;; Writes len bytes at ptr to descriptor fd (iovec at 0, written count at 8).
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (local $errno i32)
    ;; One clock subscription at 256: userdata 0, tag 0 (clock), monotonic clock, 10 s timeout, precision 0, relative.
    (i64.store (i32.const 256) (i64.const 0))
    (i32.store8 (i32.const 264) (i32.const 0))
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (i64.const 10000000000))
    (i64.store (i32.const 288) (i64.const 0))
    (i32.store16 (i32.const 296) (i32.const 0))
    (local.set $errno (call $poll_oneoff (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 768)))
    ;; The errno as two digits.
    (i32.store8 (i32.const 100) (i32.add (i32.const 48) (i32.div_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.const 101) (i32.add (i32.const 48) (i32.rem_u (local.get $errno) (i32.const 10))))
    (call $write (i32.const 1) (i32.const 16) (i32.const 22))
    (call $write (i32.const 1) (i32.const 100) (i32.const 2))
    (call $write (i32.const 1) (i32.const 64) (i32.const 2))))
