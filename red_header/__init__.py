"""GB/T 9704-2012 red-header official documents (红头文件), without Flask."""
