#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rtad::models {

struct fit_kernels;

/// Settings of an Isolation Forest (Liu, Ting, Zhou 2008).
struct forest_params {
  int trees = 100;         ///< t: number of trees
  int sample_size = 256;   ///< psi: rows per tree sub-sample
  std::uint64_t seed = 42; ///< same seed and data give the same forest
  /// Round split values to half precision (for data that is half precision
  /// already): checkpoints then store 2 bytes per split instead of 4.
  bool half_precision_splits = false;
};

/// Average path length of an unsuccessful BST search among n points, c(n).
/// Uses exact harmonic numbers for small n, the asymptotic series beyond.
double average_path_length(std::size_t n);

/// A read-only view of row-major float data: rows x dims.
struct matrix_view {
  const float* data = nullptr;
  std::size_t rows = 0;
  std::size_t dims = 0;
  const float* row(std::size_t i) const { return data + i * dims; }
};

/// Isolation Forest with flat node arrays. Every node is 8 bytes; children of
/// a node are adjacent, so a step is `i = child + (x[f] >= split)` and a leaf
/// points to itself, which makes traversal branch-free and lets the batch
/// path walk many rows through one tree at once.
class isolation_forest {
public:
  /// Features per row are limited so a padded row fits on the stack.
  static constexpr std::size_t max_dims = 63;

  /// One node: internal when `feature < dims`, leaf when `feature == dims`
  /// (a sentinel column that is always -inf, so a leaf never moves on); a
  /// leaf keeps its path length depth + c(size) in `split`.
  struct node {
    float split;
    std::uint16_t feature;
    std::uint16_t child;
  };

  isolation_forest() = default;
  isolation_forest(std::size_t dims, forest_params params);

  /// Plausible [low, high] of each feature; low > high leaves the feature
  /// out of the forest (computed for explanations, never split on).
  /// With domains, a feature that is
  /// constant in a node can still be split, anywhere in its domain: the data
  /// all goes one way and the other side is an empty leaf, so a later point
  /// with a value never seen in training is isolated at once. Without them
  /// (the original algorithm) constant features are never split.
  void set_domains(std::vector<std::pair<float, float>> domains);
  const std::vector<std::pair<float, float>>& domains() const { return domains_; }

  /// Builds every tree from sub-samples of `data`.
  void fit(matrix_view data);

  /// Rebuilds `count` trees starting at `first` (wrapping), each from a fresh
  /// sub-sample of `data`. This is how models learn incrementally.
  void refit_trees(std::size_t first, std::size_t count, matrix_view data);

  /// Anomaly score in (0, 1]; about 0.5 and below is normal.
  double score(const float* row) const;

  /// Scores every row of `data` into `out` (size data.rows).
  void score_batch(matrix_view data, double* out) const;

  /// Mean path length E[h(x)] over the trees.
  double mean_path_length(const float* row) const;

  /// The sum of `row`'s path lengths over the trees `trees`. Leaf lengths are
  /// 0 or floats of at least 1, so a double holds their sums and differences
  /// exactly, in any order: a sum kept up to date tree by tree equals one
  /// taken afresh, bit for bit.
  double path_length_sum(const float* row, const std::vector<std::size_t>& trees) const;
  /// The score of a row whose path lengths over every tree sum to `sum`.
  double score_of_sum(double sum) const {
    return std::exp2(-(sum / static_cast<double>(tree_count())) / c_psi_);
  }
  /// The trees that differ from `before`'s tree of the same index (all of
  /// them when the forests differ in shape).
  std::vector<std::size_t> trees_changed_since(const isolation_forest& before) const;

  /// Per-feature share of the isolation of `row` (DIFFI-like): a split counts
  /// by how many points it separated from the row. Sums to 1 when trained.
  std::vector<double> path_attribution(const float* row) const;

  bool trained() const { return !nodes_.empty(); }
  std::size_t dims() const { return dims_; }
  std::size_t tree_count() const { return tree_start_.size() - 1; }
  /// Sub-sample size the trees were built with (psi, capped by the data).
  std::size_t effective_sample_size() const { return psi_; }
  const forest_params& params() const { return params_; }
  /// Number of nodes of all trees.
  std::size_t node_count() const;
  /// Bytes used by the node arrays.
  std::size_t memory_bytes() const;

  // Access for (de)serialisation.
  std::vector<std::vector<node>> trees() const; ///< a copy, one vector per tree
  std::uint64_t rng_state() const { return rng_; }
  void restore(std::size_t dims, forest_params params, std::size_t psi, std::uint64_t rng,
               std::vector<std::vector<node>> trees);

  friend bool operator==(const isolation_forest& a, const isolation_forest& b);

private:
  /// A node waiting to be built: its rows are `rows[buffer][begin, end)`.
  struct pending_node {
    std::uint32_t at;
    std::uint32_t begin, end;
    std::uint32_t depth;
    std::uint32_t buffer;
    std::uint64_t constant; ///< bit f: feature f is known to be constant in its rows
  };
  /// Buffers one refit reuses for all its trees.
  struct build_scratch {
    const float* data = nullptr;       ///< the rows, row-major
    std::vector<std::uint32_t> sample; ///< offsets of all rows, shuffled in part per tree
    std::vector<std::uint32_t>
      rows[2];                 ///< a tree's sample (row offsets), partitioned back and forth
    std::vector<float> values; ///< the rows' values of the feature last scanned
    std::vector<pending_node> pending;      ///< nodes still to build, a stack
    std::vector<node> tree;                 ///< the tree being built, room for the largest
    std::vector<std::uint16_t> sizes;       ///< points under each node of `tree`
    std::vector<node> built;                ///< the trees built so far, one after another
    std::vector<std::uint16_t> built_sizes; ///< their nodes' sizes
    std::vector<std::uint32_t> built_start; ///< where each begins in `built`
    std::vector<std::uint16_t> usable;      ///< features not left out by their domain
    std::uint64_t with_domain = 0;          ///< bit f: feature f has a domain to split in
    std::uint64_t constant = 0;             ///< bit f: feature f is constant in all the data
    std::vector<double> leaf_length;        ///< c(n) for n = 0..psi
    const fit_kernels* kernels = nullptr;   ///< the row loops
    /// Feature f of the row at offset o is column(f)[o].
    const float* column(std::size_t f) const { return data + f; }
  };
  void build_tree(build_scratch& scratch); ///< appends a tree to scratch.built
  /// Builds the node `s.pending[top]` and its left spine: each split's left
  /// child next, its right child onto the stack from `top` on unless it is a
  /// leaf. Returns how many wait. `used`: nodes of the tree taken so far.
  std::size_t build_node(build_scratch& s, std::size_t top, std::uint32_t& used);
  void make_leaf(build_scratch& s, std::uint32_t at, std::uint32_t depth, std::size_t size) const;
  std::uint64_t next_random();
  std::size_t next_below(std::size_t n); ///< uniform in [0, n), n < 2^32
  double next_unit();
  const node* tree_nodes(std::size_t t) const { return nodes_.data() + tree_start_[t]; }
  std::size_t tree_size(std::size_t t) const { return tree_start_[t + 1] - tree_start_[t]; }

  std::size_t dims_ = 0;
  forest_params params_;
  std::size_t psi_ = 0;
  std::uint64_t rng_ = 0;
  double c_psi_ = 1.0;
  int height_limit_ = 0;
  // Every tree in one array, tree t at [tree_start_[t], tree_start_[t + 1]):
  // a vector per tree cost a user model 50 allocations, their headers and
  // their slack (~4 KB of its ~20), and a refit splices the array once.
  std::vector<node> nodes_;
  // Points under each node (parallel to nodes_), so that an explanation
  // follows the row's path only: without them it walked every subtree the
  // row entered, a tenth of a node's CPU for one row in 200 explained.
  std::vector<std::uint16_t> sizes_;
  std::vector<std::uint32_t> tree_start_;
  std::vector<std::pair<float, float>> domains_; // a setting of the owner, not serialised
};

} // namespace rtad::models
