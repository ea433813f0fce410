;; The example of docs/functions.md: answers {"greeting": "<GREETING>", "request": <the request>}.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (memory (export "memory") 2)
  ;; Memory: 0 iovec, 8 byte count, 16.. constant text, 1024.. environment, 8192.. the request.
  (data (i32.const 16) "{\"status\":200,\"json\":{\"greeting\":\"")
  (data (i32.const 64) "\",\"request\":")
  (data (i32.const 96) "}}")
  (data (i32.const 112) "greeted\n")
  (data (i32.const 128) "GREETING=")

  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; The value of GREETING (pointer and length), or an empty string.
  (func $greeting (result i32 i32)
    (local $i i32) (local $entry i32) (local $end i32)
    (drop (call $environ_sizes_get (i32.const 200) (i32.const 204)))
    (drop (call $environ_get (i32.const 1024) (i32.const 2048)))
    (block $none
      (loop $next
        (br_if $none (i32.ge_u (local.get $i) (i32.load (i32.const 200))))
        (local.set $entry (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        ;; Does the entry start with "GREETING="?
        (br_if $next (i32.eqz (call $startsWith (local.get $entry))))
        (local.set $entry (i32.add (local.get $entry) (i32.const 9)))
        (local.set $end (local.get $entry))
        (block $found
          (loop $scan
            (br_if $found (i32.eqz (i32.load8_u (local.get $end))))
            (local.set $end (i32.add (local.get $end) (i32.const 1)))
            (br $scan)))
        (return (local.get $entry) (i32.sub (local.get $end) (local.get $entry)))))
    (i32.const 0) (i32.const 0))

  (func $startsWith (param $entry i32) (result i32)
    (local $k i32)
    (block $no
      (loop $compare
        (if (i32.eq (local.get $k) (i32.const 9)) (then (return (i32.const 1))))
        (br_if $no (i32.ne (i32.load8_u (i32.add (local.get $entry) (local.get $k)))
                           (i32.load8_u (i32.add (i32.const 128) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $compare)))
    (i32.const 0))

  (func (export "_start")
    (local $end i32) (local $n i32) (local $value i32) (local $length i32)
    ;; Read the request into 8192.. until end of file.
    (local.set $end (i32.const 8192))
    (block $done
      (loop $read
        (i32.store (i32.const 0) (local.get $end))
        (i32.store (i32.const 4) (i32.sub (i32.const 131072) (local.get $end)))
        (br_if $done (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $n (i32.load (i32.const 8)))
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $end (i32.add (local.get $end) (local.get $n)))
        (br $read)))
    (call $greeting)
    (local.set $length)
    (local.set $value)
    (call $write (i32.const 2) (i32.const 112) (i32.const 8))
    (call $write (i32.const 1) (i32.const 16) (i32.const 34))
    (call $write (i32.const 1) (local.get $value) (local.get $length))
    (call $write (i32.const 1) (i32.const 64) (i32.const 12))
    (call $write (i32.const 1) (i32.const 8192) (i32.sub (local.get $end) (i32.const 8192)))
    (call $write (i32.const 1) (i32.const 96) (i32.const 2))))
