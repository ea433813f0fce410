;; A document-event trigger (FunctionServerTests): reads the request the trigger sends on stdin, finds the
;; operation's ordinal in its body (the body is a JSON string there, so the key reads ordinal\":N) and answers
;; one action, ADD_TODO {"id": "op-N", "text": "seen"} on the document "seen".
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 3)
  ;; Memory: 0 iovec, 8 byte count, 16.. the key searched, 32.. the answer's start, 256.. its end, 320.. no answer,
  ;; 8192.. the request.
  (data (i32.const 16) "ordinal\\\":")
  (data (i32.const 32) "{\"status\":200,\"json\":{\"actions\":[{\"documentId\":\"seen\",\"type\":\"ADD_TODO\",\"input\":{\"id\":\"op-")
  (data (i32.const 256) "\",\"text\":\"seen\"}}]}}")
  (data (i32.const 320) "{\"status\":200}")

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Whether the 10 bytes at $at are the key at 16.
  (func $isKey (param $at i32) (result i32)
    (local $k i32)
    (block $no
      (loop $compare
        (if (i32.eq (local.get $k) (i32.const 10)) (then (return (i32.const 1))))
        (br_if $no (i32.ne (i32.load8_u (i32.add (local.get $at) (local.get $k)))
                           (i32.load8_u (i32.add (i32.const 16) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $compare)))
    (i32.const 0))

  (func (export "_start")
    (local $end i32) (local $n i32) (local $at i32) (local $digits i32)
    (local.set $end (i32.const 8192))
    (block $done
      (loop $read
        (i32.store (i32.const 0) (local.get $end))
        (i32.store (i32.const 4) (i32.sub (i32.const 196608) (local.get $end)))
        (br_if $done (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $n (i32.load (i32.const 8)))
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $end (i32.add (local.get $end) (local.get $n)))
        (br $read)))
    (local.set $at (i32.const 8192))
    (block $missing
      (loop $search
        (br_if $missing (i32.gt_u (i32.add (local.get $at) (i32.const 10)) (local.get $end)))
        (if (call $isKey (local.get $at))
          (then
            (local.set $at (i32.add (local.get $at) (i32.const 10)))
            (local.set $digits (local.get $at))
            (block $last
              (loop $digit
                (br_if $last (i32.ge_u (local.get $digits) (local.get $end)))
                (br_if $last (i32.lt_u (i32.load8_u (local.get $digits)) (i32.const 48)))
                (br_if $last (i32.gt_u (i32.load8_u (local.get $digits)) (i32.const 57)))
                (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
                (br $digit)))
            (call $write (i32.const 32) (i32.const 90))
            (call $write (local.get $at) (i32.sub (local.get $digits) (local.get $at)))
            (call $write (i32.const 256) (i32.const 20))
            (return)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $search)))
    (call $write (i32.const 320) (i32.const 14))))
