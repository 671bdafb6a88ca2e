! y = a*x + y on vectors of length n (first argument); prints sum(y) and max(y).
program axpy
  implicit none
  integer :: n, i
  character(len=32) :: arg
  double precision, allocatable :: x(:), y(:)
  double precision, parameter :: a = 2.5d0
  call get_command_argument(1, arg)
  read (arg, *) n
  allocate (x(n), y(n))
  do i = 1, n
    x(i) = 0.5d0 * i
    y(i) = 1.0d0 / i
  end do
  do i = 1, n
    y(i) = a * x(i) + y(i)
  end do
  print '(A,ES24.16)', 'sum ', sum(y)
  print '(A,ES24.16)', 'max ', maxval(y)
end program axpy
