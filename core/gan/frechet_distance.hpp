#pragma once
// The Fréchet distance between two sets of feature vectors, each summarised by a Gaussian
// (Heusel et al. 2017; seed 002 Fig. 4H-I judges its GAN by it, citing Liu et al. 2018):
//   FD = |mu_1 - mu_2|^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^(1/2)).
#include <Eigen/Core>

namespace cbl::gan {

struct Gaussian {
    Eigen::VectorXd mean;
    Eigen::MatrixXd covariance; ///< unbiased (divided by n - 1)
};

/// Mean and covariance of the columns of `features` (d x n, n >= 2).
Gaussian fit_gaussian(const Eigen::MatrixXd& features);

/// FD of two Gaussians of the same dimension. Tr((S_1 S_2)^(1/2)) is taken as the trace of the
/// square root of the symmetric positive semi-definite S_1^(1/2) S_2 S_1^(1/2), which has the
/// same eigenvalues as S_1 S_2, by two symmetric eigen-decompositions (tiny negative eigenvalues
/// from rounding count as 0).
double frechet_distance(const Gaussian& a, const Gaussian& b);

} // namespace cbl::gan
