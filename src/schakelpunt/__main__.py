from schakelpunt.cli import main

main()
