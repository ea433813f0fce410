;; Invalid: the function body leaves an i32 on the stack of a function without results.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.const 1)))
