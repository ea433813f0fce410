;; A document model that tries to read the clock and random bytes: its state records the errno of each call
;; ("52" = ENOSYS: a model has neither).
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "{\"state\":{\"clock\":\"00\",\"random\":\"00\"}}")
  (global $top (mut i32) (i32.const 1024))
  (func (export "reactor_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $top))
    (global.set $top (i32.add (local.get $p) (local.get $len)))
    (local.get $p))
  (func $digits (param $at i32) (param $n i32)
    (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.div_u (local.get $n) (i32.const 10))))
    (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10)))))
  (func (export "reactor_reduce") (param i32 i32 i32 i32) (result i64)
    (call $digits (i32.const 19) (call $clock (i32.const 0) (i64.const 1) (i32.const 512)))
    (call $digits (i32.const 33) (call $random (i32.const 600) (i32.const 8)))
    ;; address 0, length 38
    (i64.const 38)))
