! y = a*x + y on vectors of length n, block-distributed over the ranks; rank 0 prints sum(y) and max(y).
program axpy
  use mpi
  implicit none
  integer :: n, i, ierr, rank, nprocs, first, last, chunk, extra
  character(len=32) :: arg
  double precision, allocatable :: x(:), y(:)
  double precision, parameter :: a = 2.5d0
  double precision :: local(2), total, biggest
  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  call get_command_argument(1, arg)
  read (arg, *) n
  chunk = n / nprocs
  extra = mod(n, nprocs)
  first = rank * chunk + min(rank, extra) + 1
  last = first + chunk - 1
  if (rank < extra) last = last + 1
  allocate (x(first:last), y(first:last))
  do i = first, last
    x(i) = 0.5d0 * i
    y(i) = 1.0d0 / i
  end do
  do i = first, last
    y(i) = a * x(i) + y(i)
  end do
  local(1) = sum(y)
  local(2) = -huge(1.0d0)
  if (last >= first) local(2) = maxval(y)
  call MPI_Reduce(local(1), total, 1, MPI_DOUBLE_PRECISION, MPI_SUM, 0, MPI_COMM_WORLD, ierr)
  call MPI_Reduce(local(2), biggest, 1, MPI_DOUBLE_PRECISION, MPI_MAX, 0, MPI_COMM_WORLD, ierr)
  if (rank == 0) then
    print '(A,ES24.16)', 'sum ', total
    print '(A,ES24.16)', 'max ', biggest
  end if
  call MPI_Finalize(ierr)
end program axpy
