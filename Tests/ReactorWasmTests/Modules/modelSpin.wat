;; A document model whose reducer never returns: every action runs out of fuel (a reducer error on its operation).
(module
  (memory (export "memory") 1)
  (global $top (mut i32) (i32.const 1024))
  (func (export "reactor_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $top))
    (global.set $top (i32.add (local.get $p) (local.get $len)))
    (local.get $p))
  (func (export "reactor_reduce") (param i32 i32 i32 i32) (result i64)
    (loop $spin (br $spin))
    (i64.const 0)))
