;; Exports no _start: refused at compile time.
(module
  (memory (export "memory") 1)
  (func (export "main")))
