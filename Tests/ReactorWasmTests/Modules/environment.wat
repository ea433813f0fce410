;; FunctionBehaviour.environment: answers status 200 with its environment as NAME=value lines.
(module
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"status\":200,\"body\":\"")
  (data (i32.const 64) "\"}")
  ;; A JSON line feed escape: backslash, n.
  (data (i32.const 80) "\\n")
  ;; Writes len bytes at ptr to descriptor fd (iovec at 0, written count at 8).
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; The length of the NUL-terminated string at ptr.
  (func $strlen (param $ptr i32) (result i32)
    (local $end i32)
    (local.set $end (local.get $ptr))
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (local.get $end))))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $scan)))
    (i32.sub (local.get $end) (local.get $ptr)))
  (func (export "_start")
    (local $count i32)
    (local $i i32)
    (local $entry i32)
    ;; Variable count at 200, buffer size at 204; pointers at 1024, the NAME=value strings at 4096.
    (drop (call $environ_sizes_get (i32.const 200) (i32.const 204)))
    (drop (call $environ_get (i32.const 1024) (i32.const 4096)))
    (local.set $count (i32.load (i32.const 200)))
    (call $write (i32.const 1) (i32.const 16) (i32.const 22))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (if (local.get $i) (then (call $write (i32.const 1) (i32.const 80) (i32.const 2))))
        (local.set $entry (i32.load (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 4)))))
        (call $write (i32.const 1) (local.get $entry) (call $strlen (local.get $entry)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $write (i32.const 1) (i32.const 64) (i32.const 2))))
