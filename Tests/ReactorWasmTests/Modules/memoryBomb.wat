;; FunctionBehaviour.memoryBomb: grows its memory one 64 KiB page at a time, forever.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $forever
      (drop (memory.grow (i32.const 1)))
      (br $forever))))
