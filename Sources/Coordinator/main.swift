print("goosey")
