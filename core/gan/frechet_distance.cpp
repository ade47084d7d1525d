#include "core/gan/frechet_distance.hpp"

#include "core/common/param_error.hpp"

#include <Eigen/Eigenvalues>

namespace cbl::gan {

Gaussian fit_gaussian(const Eigen::MatrixXd& features) {
    if (features.cols() < 2)
        throw InputError("Fréchet distance: a Gaussian needs at least 2 samples, got " +
                         std::to_string(features.cols()));
    Gaussian g;
    g.mean = features.rowwise().mean();
    const Eigen::MatrixXd centred = features.colwise() - g.mean;
    g.covariance = centred * centred.transpose() / double(features.cols() - 1);
    return g;
}

double frechet_distance(const Gaussian& a, const Gaussian& b) {
    if (a.mean.size() != b.mean.size())
        throw InputError("Fréchet distance: features of " + std::to_string(a.mean.size()) +
                         " and " + std::to_string(b.mean.size()) + " dimensions");
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ea(a.covariance);
    const Eigen::VectorXd root = ea.eigenvalues().cwiseMax(0).cwiseSqrt();
    const Eigen::MatrixXd sqrt_a =
        ea.eigenvectors() * root.asDiagonal() * ea.eigenvectors().transpose();
    Eigen::MatrixXd m = sqrt_a * b.covariance * sqrt_a;
    m = 0.5 * (m + m.transpose()); // symmetric up to rounding
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> em(m, Eigen::EigenvaluesOnly);
    const double cross = em.eigenvalues().cwiseMax(0).cwiseSqrt().sum();
    return (a.mean - b.mean).squaredNorm() + a.covariance.trace() + b.covariance.trace() -
           2 * cross;
}

} // namespace cbl::gan
