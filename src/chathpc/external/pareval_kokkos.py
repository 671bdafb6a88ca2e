"""The C++ adapter the reference answers of imported ParEval Kokkos problems use (``chathpc-kokkos-host.hpp``).

ParEval has no Kokkos solutions, only a serial baseline per problem taking ``std::vector``, ``std::array`` and
``std::complex`` arguments, while the Kokkos function takes views. ``chathpc::host(arg)`` passes a non-view
argument through and turns a host-accessible view into the baseline's argument type (a 2-D view flattened
row-major, a ``char`` matrix into strings, ``Kokkos::complex`` into ``std::complex``); at the end of the call
the result is written back into a view of non-const data (resized when the baseline resized a rank-1 vector,
as ParEval's convex hull does).
"""

HEADER_NAME = "chathpc-kokkos-host.hpp"

HEADER = r"""#pragma once
// chathpc: lets a reference answer call ParEval's serial baseline with Kokkos views (host memory only).
#include <Kokkos_Core.hpp>
#include <array>
#include <complex>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace chathpc {

template <class> struct is_std_complex : std::false_type {};
template <class R> struct is_std_complex<std::complex<R>> : std::true_type {};
template <class> struct is_kokkos_complex : std::false_type {};
template <class R> struct is_kokkos_complex<Kokkos::complex<R>> : std::true_type {};

template <class T, class U> T convert(const U& u) {
    if constexpr ((is_std_complex<T>::value && is_kokkos_complex<U>::value) ||
                  (is_kokkos_complex<T>::value && is_std_complex<U>::value)) {
        return T(u.real(), u.imag());
    } else {
        return static_cast<T>(u);
    }
}

template <class View> class Host {
    using ViewType = std::remove_const_t<View>;
    using Value = typename ViewType::non_const_value_type;
    static constexpr bool writable = !std::is_const_v<typename ViewType::value_type>;
    View& view_;
    std::shared_ptr<void> data_;
    std::function<void()> write_back_;

    size_t rows() const { return view_.extent(0); }
    size_t cols() const { return ViewType::rank == 2 ? view_.extent(1) : 1; }
    Value& at(size_t k) const {
        if constexpr (ViewType::rank == 1) { return const_cast<Value&>(view_(k)); }
        else { return const_cast<Value&>(view_(k / cols(), k % cols())); }
    }

public:
    explicit Host(View& view) : view_(view) {}
    Host(const Host&) = delete;
    ~Host() { if (write_back_) write_back_(); }

    template <class T> operator std::vector<T>&() {
        auto vec = std::make_shared<std::vector<T>>();
        if constexpr (std::is_same_v<T, std::string>) {
            for (size_t i = 0; i < rows(); i += 1) {
                std::string row;
                for (size_t j = 0; j < cols() && at(i * cols() + j) != 0; j += 1) row += at(i * cols() + j);
                vec->push_back(row);
            }
        } else {
            vec->resize(rows() * cols());
            for (size_t k = 0; k < vec->size(); k += 1) (*vec)[k] = convert<T>(at(k));
            if constexpr (writable) {
                write_back_ = [this, vec]() {
                    if constexpr (!std::is_const_v<View> && ViewType::rank == 1 && ViewType::rank_dynamic == 1) {
                        if (vec->size() != view_.extent(0)) Kokkos::resize(view_, vec->size());
                    }
                    for (size_t k = 0; k < vec->size() && k < rows() * cols(); k += 1) at(k) = convert<Value>((*vec)[k]);
                };
            }
        }
        data_ = vec;
        return *vec;
    }

    template <class T, size_t N> operator std::array<T, N>&() {
        auto arr = std::make_shared<std::array<T, N>>();
        for (size_t k = 0; k < N && k < rows() * cols(); k += 1) (*arr)[k] = convert<T>(at(k));
        if constexpr (writable) {
            write_back_ = [this, arr]() { for (size_t k = 0; k < N && k < rows() * cols(); k += 1) at(k) = convert<Value>((*arr)[k]); };
        }
        data_ = arr;
        return *arr;
    }
};

template <class T> decltype(auto) host(T&& arg) {
    if constexpr (Kokkos::is_view<std::decay_t<T>>::value) {
        return Host<std::remove_reference_t<T>>(arg);
    } else {
        return std::forward<T>(arg);
    }
}

}  // namespace chathpc
"""
