;; A WASM document model (the reducer ABI of docs/functions.md, "Document models (reducer ABI)"): it keeps the last
;; action it accepted, {"last": <action>}; FAIL is a reducer error, BAD a validation error (UNKNOWN_ACTION).
;;   reactor models add examples/models/last-action.wat --type example/last-action --version 1 --scopes global
(module
  (memory (export "memory") 1)
  (global $top (mut i32) (i32.const 1024))
  (data (i32.const 0) "{\"state\":{\"last\":")
  (data (i32.const 32) "}}")
  (data (i32.const 48) "{\"error\":\"FAIL always fails\"}")
  (data (i32.const 96) "\"type\":\"FAIL\"")
  (data (i32.const 112) "\"type\":\"BAD\"")
  (data (i32.const 128) "{\"invalid\":\"BAD is not an action\",\"code\":\"UNKNOWN_ACTION\",\"path\":\"actions.type\"}")

  ;; A bump allocator: never frees (every action gets a fresh instance), grows the memory as needed.
  (func $alloc (export "reactor_alloc") (param $len i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (global.get $top))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
      (then (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.shl (memory.size) (i32.const 16)))
                                                         (i32.const 16)) (i32.const 1))) (i32.const -1))
              (then unreachable))))
    (global.set $top (local.get $end))
    (local.get $p))

  ;; Whether the len bytes at $at contain the n bytes at $needle.
  (func $contains (param $at i32) (param $len i32) (param $needle i32) (param $n i32) (result i32)
    (local $i i32) (local $k i32)
    (block $no
      (loop $start
        (br_if $no (i32.gt_s (i32.add (local.get $i) (local.get $n)) (local.get $len)))
        (local.set $k (i32.const 0))
        (block $mismatch
          (loop $compare
            (if (i32.eq (local.get $k) (local.get $n)) (then (return (i32.const 1))))
            (br_if $mismatch (i32.ne (i32.load8_u (i32.add (i32.add (local.get $at) (local.get $i)) (local.get $k)))
                                     (i32.load8_u (i32.add (local.get $needle) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $compare)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $start)))
    (i32.const 0))

  (func $packed (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))

  (func (export "reactor_reduce") (param $state i32) (param $stateLen i32) (param $action i32) (param $actionLen i32) (result i64)
    (local $out i32)
    (if (call $contains (local.get $action) (local.get $actionLen) (i32.const 112) (i32.const 12))
      (then (return (call $packed (i32.const 128) (i32.const 80)))))
    (if (call $contains (local.get $action) (local.get $actionLen) (i32.const 96) (i32.const 13))
      (then (return (call $packed (i32.const 48) (i32.const 29)))))
    ;; {"state":{"last":<the action>}}
    (local.set $out (call $alloc (i32.add (local.get $actionLen) (i32.const 19))))
    (memory.copy (local.get $out) (i32.const 0) (i32.const 17))
    (memory.copy (i32.add (local.get $out) (i32.const 17)) (local.get $action) (local.get $actionLen))
    (memory.copy (i32.add (local.get $out) (i32.add (local.get $actionLen) (i32.const 17))) (i32.const 32) (i32.const 2))
    (call $packed (local.get $out) (i32.add (local.get $actionLen) (i32.const 19)))))
