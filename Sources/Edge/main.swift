print("edge")
