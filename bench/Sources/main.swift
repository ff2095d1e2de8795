print("gsp-bench")
