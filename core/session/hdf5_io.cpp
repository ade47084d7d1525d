#include "core/session/hdf5_io.hpp"

#include "core/common/param_error.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace cbl::h5 {
namespace {

// Small arrays live inside their (checksummed) object header; HDF5 caps a header message at
// 64 KiB, so stay well below.
constexpr std::size_t compact_limit_bytes = 8 * 1024;
constexpr std::size_t chunk_target_bytes = 1 << 20;
// Readers refuse what sessions never contain; these bounds keep a crafted file from making
// HDF5 or us allocate without limit.
constexpr int max_rank = 8;
constexpr std::uint64_t max_chunk_bytes = 64u << 20;
constexpr std::size_t max_string_width = 1u << 20;
constexpr std::size_t max_attribute_strings = 4096;

/// HDF5's innermost error message (the most specific one), then clears the stack.
std::string hdf5_message() {
    std::string msg;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned n, const H5E_error2_t* e, void* out) -> herr_t {
            if (n == 0 && e && e->desc) *static_cast<std::string*>(out) = e->desc;
            return 0;
        },
        &msg);
    H5Eclear2(H5E_DEFAULT);
    // I/O failures carry the system's reason amid offsets and sizes; keep only the reason.
    const auto quoted = msg.find("error message = '");
    if (quoted != std::string::npos) {
        const auto begin = quoted + 17;
        return msg.substr(begin, msg.find('\'', begin) - begin);
    }
    return msg.size() > 200 ? msg.substr(0, 200) + "..." : msg;
}

[[noreturn]] void fail(const std::string& what) {
    const std::string detail = hdf5_message();
    throw InputError(detail.empty() ? what : what + " (" + detail + ")");
}

template <typename T>
struct Traits;
template <>
struct Traits<float> {
    static hid_t file() { return H5T_IEEE_F32LE; }
    static hid_t memory() { return H5T_NATIVE_FLOAT; }
    static constexpr const char* name = "float32";
};
template <>
struct Traits<double> {
    static hid_t file() { return H5T_IEEE_F64LE; }
    static hid_t memory() { return H5T_NATIVE_DOUBLE; }
    static constexpr const char* name = "float64";
};
template <>
struct Traits<std::uint8_t> {
    static hid_t file() { return H5T_STD_U8LE; }
    static hid_t memory() { return H5T_NATIVE_UINT8; }
    static constexpr const char* name = "uint8";
};
template <>
struct Traits<std::int32_t> {
    static hid_t file() { return H5T_STD_I32LE; }
    static hid_t memory() { return H5T_NATIVE_INT32; }
    static constexpr const char* name = "int32";
};
template <>
struct Traits<std::uint32_t> {
    static hid_t file() { return H5T_STD_U32LE; }
    static hid_t memory() { return H5T_NATIVE_UINT32; }
    static constexpr const char* name = "uint32";
};
template <>
struct Traits<std::uint64_t> {
    static hid_t file() { return H5T_STD_U64LE; }
    static hid_t memory() { return H5T_NATIVE_UINT64; }
    static constexpr const char* name = "uint64";
};
template <>
struct Traits<std::int64_t> {
    static hid_t file() { return H5T_STD_I64LE; }
    static hid_t memory() { return H5T_NATIVE_INT64; }
    static constexpr const char* name = "int64";
};

Id link_create_plist() {
    Id lcpl = checked(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "cannot create a property list");
    check(H5Pset_create_intermediate_group(lcpl.get(), 1), "cannot set link properties");
    check(H5Pset_char_encoding(lcpl.get(), H5T_CSET_UTF8), "cannot set link properties");
    return lcpl;
}

/// A fixed-length UTF-8 string type of `width` bytes (HDF5 needs at least 1).
Id string_type(std::size_t width) {
    Id t = checked(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create a string type");
    check(H5Tset_size(t.get(), std::max<std::size_t>(width, 1)), "cannot size a string type");
    check(H5Tset_strpad(t.get(), H5T_STR_NULLPAD), "cannot pad a string type");
    check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "cannot set a string encoding");
    return t;
}

Id dataspace(const std::vector<std::size_t>& shape) {
    if (shape.empty()) return checked(H5Screate(H5S_SCALAR), H5Sclose, "cannot create a dataspace");
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    return checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                   "cannot create a dataspace");
}

std::size_t element_count(const std::vector<std::size_t>& shape) {
    std::size_t n = 1;
    for (const std::size_t d : shape)
        n *= d;
    return n;
}

Id create_dataset(hid_t parent, const std::string& path, hid_t file_type, hid_t memory_type,
                  const std::vector<std::size_t>& shape, std::size_t element_bytes,
                  const void* data) {
    const std::size_t n = element_count(shape);
    Id space = dataspace(shape);
    Id dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "cannot create a property list");
    if (n * element_bytes <= compact_limit_bytes || shape.empty()) {
        check(H5Pset_layout(dcpl.get(), H5D_COMPACT), "cannot set a compact layout");
    } else {
        // Chunks of about chunk_target_bytes, filled from the last (fastest) dimension.
        std::vector<hsize_t> chunk(shape.size());
        std::size_t elements = std::max<std::size_t>(1, chunk_target_bytes / element_bytes);
        for (std::size_t i = shape.size(); i-- > 0;) {
            chunk[i] = std::clamp<std::size_t>(elements, 1, shape[i]);
            elements = std::max<std::size_t>(1, elements / chunk[i]);
        }
        check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()),
              "cannot chunk " + path);
        check(H5Pset_fletcher32(dcpl.get()), "cannot add a checksum to " + path);
    }
    Id lcpl = link_create_plist();
    Id ds = checked(H5Dcreate2(parent, path.c_str(), file_type, space.get(), lcpl.get(), dcpl.get(),
                               H5P_DEFAULT),
                    H5Dclose, "cannot create dataset " + path);
    if (n > 0)
        check(H5Dwrite(ds.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
              "cannot write dataset " + path);
    return ds;
}

void write_attribute_raw(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                         const std::vector<std::size_t>& shape, const void* data) {
    Id space = dataspace(shape);
    Id a =
        checked(H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose, "cannot create attribute " + name);
    check(H5Awrite(a.get(), memory_type, data), "cannot write attribute " + name);
}

std::string pack_strings(const std::vector<std::string>& values, std::size_t& width) {
    width = 1;
    for (const auto& s : values)
        width = std::max(width, s.size());
    std::string buf(values.size() * width, '\0');
    for (std::size_t i = 0; i < values.size(); ++i)
        std::copy(values[i].begin(), values[i].end(), buf.begin() + std::ptrdiff_t(i * width));
    return buf;
}

std::string unpack_string(const char* p, std::size_t width) {
    return std::string(p, std::find(p, p + width, '\0'));
}

/// Extent of a dataset or attribute: empty for scalar, rejected when null or of absurd rank.
std::vector<std::size_t> read_shape(hid_t space, const std::string& what) {
    const H5S_class_t cls = H5Sget_simple_extent_type(space);
    if (cls == H5S_SCALAR) return {};
    if (cls != H5S_SIMPLE) fail(what + " has no data space");
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0) fail("cannot read the shape of " + what);
    if (rank > max_rank)
        throw InputError(what + " has rank " + std::to_string(rank) + ", more than " +
                         std::to_string(max_rank));
    std::array<hsize_t, max_rank> dims{};
    if (H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0)
        fail("cannot read the shape of " + what);
    return std::vector<std::size_t>(dims.begin(), dims.begin() + rank);
}

/// Elements x element size, or InputError if that overflows (a crafted extent).
std::uint64_t byte_count(const std::vector<std::size_t>& shape, std::size_t element_bytes,
                         const std::string& what) {
    std::uint64_t n = element_bytes;
    for (const std::size_t d : shape)
        if (__builtin_mul_overflow(n, std::uint64_t(d), &n))
            throw InputError(what + " has an impossible size");
    return n;
}

/// Only layouts and filters sessions write may be read: no external or virtual storage (other
/// files), no decompression (unbounded work and HDF5's history of filter bugs).
void check_storage(hid_t ds, std::size_t element_bytes, const std::string& what) {
    Id dcpl = checked(H5Dget_create_plist(ds), H5Pclose, "cannot read the layout of " + what);
    const H5D_layout_t layout = H5Pget_layout(dcpl.get());
    if (layout != H5D_COMPACT && layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED)
        throw InputError(what + " uses a storage layout sessions never write");
    if (H5Pget_external_count(dcpl.get()) != 0)
        throw InputError(what + " refers to external files");
    const int filters = H5Pget_nfilters(dcpl.get());
    if (filters < 0) fail("cannot read the filters of " + what);
    if (layout == H5D_CHUNKED) {
        std::array<hsize_t, max_rank> chunk{};
        const int rank = H5Pget_chunk(dcpl.get(), max_rank, chunk.data());
        if (rank < 1 || rank > max_rank) fail("cannot read the chunks of " + what);
        std::vector<std::size_t> shape(chunk.begin(), chunk.begin() + rank);
        if (byte_count(shape, element_bytes, what) > max_chunk_bytes)
            throw InputError(what + " has chunks larger than " +
                             std::to_string(max_chunk_bytes >> 20) + " MiB");
    }
    for (int i = 0; i < filters; ++i) {
        unsigned flags = 0;
        std::size_t values = 0;
        unsigned config = 0;
        const H5Z_filter_t id =
            H5Pget_filter2(dcpl.get(), unsigned(i), &flags, &values, nullptr, 0, nullptr, &config);
        if (id != H5Z_FILTER_FLETCHER32)
            throw InputError(what + " uses HDF5 filter " + std::to_string(id) +
                             "; sessions are stored uncompressed (only the Fletcher-32 "
                             "checksum is accepted)");
    }
}

Id open_dataset(hid_t parent, const std::string& path) {
    if (!exists(parent, path)) throw InputError(path + " is missing");
    return checked(H5Dopen2(parent, path.c_str(), H5P_DEFAULT), H5Dclose,
                   "cannot open dataset " + path);
}

Id open_attribute(hid_t object, const std::string& name) {
    if (!has_attribute(object, name)) throw InputError("attribute " + name + " is missing");
    return checked(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose,
                   "cannot open attribute " + name);
}

template <typename T>
T read_scalar_attribute(hid_t object, const std::string& name) {
    Id a = open_attribute(object, name);
    Id type = checked(H5Aget_type(a.get()), H5Tclose, "cannot read the type of " + name);
    if (H5Tequal(type.get(), Traits<T>::file()) <= 0)
        throw InputError("attribute " + name + " must be " + Traits<T>::name);
    Id space = checked(H5Aget_space(a.get()), H5Sclose, "cannot read the shape of " + name);
    if (!read_shape(space.get(), "attribute " + name).empty())
        throw InputError("attribute " + name + " must be a scalar");
    T value{};
    check(H5Aread(a.get(), Traits<T>::memory(), &value), "cannot read attribute " + name);
    return value;
}

/// Width of a fixed-length string type, or InputError when it is not one.
std::size_t string_width(hid_t type, const std::string& what) {
    if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) != 0)
        throw InputError(what + " must be a fixed-length string");
    const std::size_t width = H5Tget_size(type);
    if (width == 0 || width > max_string_width)
        throw InputError(what + " has an unsupported string width");
    return width;
}

template <typename T>
NumericArray read_values(hid_t ds, std::vector<std::size_t> shape, Budget& budget,
                         const std::string& what) {
    check_storage(ds, sizeof(T), what);
    budget.take(byte_count(shape, sizeof(T), what), what);
    std::vector<T> v(element_count(shape));
    if (!v.empty())
        check(H5Dread(ds, Traits<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
              "cannot read " + what);
    return {std::move(shape), std::move(v)};
}

} // namespace

void silence_errors() {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Id checked(hid_t id, Id::Closer close, const std::string& what) {
    if (id < 0) fail(what);
    return Id(id, close);
}

void check(herr_t rc, const std::string& what) {
    if (rc < 0) fail(what);
}

// ---- writing ----------------------------------------------------------------------------------

Id create_group(hid_t parent, const std::string& path) {
    Id lcpl = link_create_plist();
    return checked(H5Gcreate2(parent, path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                   "cannot create group " + path);
}

void write_attribute(hid_t object, const std::string& name, std::int64_t value) {
    write_attribute_raw(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, {}, &value);
}

void write_attribute(hid_t object, const std::string& name, std::uint64_t value) {
    write_attribute_raw(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, {}, &value);
}

void write_attribute(hid_t object, const std::string& name, double value) {
    write_attribute_raw(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &value);
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
    std::string buf = value.empty() ? std::string(1, '\0') : value;
    Id type = string_type(buf.size());
    write_attribute_raw(object, name, type.get(), type.get(), {}, buf.data());
}

void write_attribute(hid_t object, const std::string& name,
                     const std::vector<std::string>& values) {
    std::size_t width = 0;
    const std::string buf = pack_strings(values, width);
    Id type = string_type(width);
    write_attribute_raw(object, name, type.get(), type.get(), {values.size()}, buf.data());
}

template <typename T>
Id write_dataset(hid_t parent, const std::string& path, const T* data,
                 const std::vector<std::size_t>& shape) {
    return create_dataset(parent, path, Traits<T>::file(), Traits<T>::memory(), shape, sizeof(T),
                          data);
}

template Id write_dataset(hid_t, const std::string&, const float*, const std::vector<std::size_t>&);
template Id write_dataset(hid_t, const std::string&, const double*,
                          const std::vector<std::size_t>&);
template Id write_dataset(hid_t, const std::string&, const std::uint8_t*,
                          const std::vector<std::size_t>&);
template Id write_dataset(hid_t, const std::string&, const std::int32_t*,
                          const std::vector<std::size_t>&);
template Id write_dataset(hid_t, const std::string&, const std::uint32_t*,
                          const std::vector<std::size_t>&);
template Id write_dataset(hid_t, const std::string&, const std::uint64_t*,
                          const std::vector<std::size_t>&);
template Id write_dataset(hid_t, const std::string&, const std::int64_t*,
                          const std::vector<std::size_t>&);

Id write_strings(hid_t parent, const std::string& path, const std::vector<std::string>& values) {
    std::size_t width = 0;
    const std::string buf = pack_strings(values, width);
    Id type = string_type(width);
    return create_dataset(parent, path, type.get(), type.get(), {values.size()}, width, buf.data());
}

MemoryFile::MemoryFile(const std::string& label) {
    // The driver's buffer is ours: HDF5 allocates, grows and finally releases it through these,
    // and the release at close copies the finished file out.
    H5FD_file_image_callbacks_t callbacks{};
    callbacks.image_malloc = [](std::size_t size, H5FD_file_image_op_t, void* udata) {
        static_cast<Capture*>(udata)->allocated = size;
        return std::malloc(size);
    };
    callbacks.image_memcpy = [](void* dest, const void* src, std::size_t size, H5FD_file_image_op_t,
                                void*) { return std::memcpy(dest, src, size); };
    callbacks.image_realloc = [](void* ptr, std::size_t size, H5FD_file_image_op_t, void* udata) {
        static_cast<Capture*>(udata)->allocated = size;
        return std::realloc(ptr, size);
    };
    callbacks.image_free = [](void* ptr, H5FD_file_image_op_t op, void* udata) -> herr_t {
        // The closing file's buffer is kept as it is: it is the file (no copy).
        if (op == H5FD_FILE_IMAGE_OP_FILE_CLOSE && ptr)
            static_cast<Capture*>(udata)->image.reset(static_cast<char*>(ptr));
        else
            std::free(ptr);
        return 0;
    };
    // Property-list copies share the one Capture, which outlives the file.
    callbacks.udata_copy = [](void* udata) { return udata; };
    callbacks.udata_free = [](void*) -> herr_t { return 0; };
    callbacks.udata = capture_.get();

    Id fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot create properties");
    check(H5Pset_fapl_core(fapl.get(), 1 << 20, false), "cannot use an in-memory file");
    check(H5Pset_file_image_callbacks(fapl.get(), &callbacks), "cannot use an in-memory file");
    // The 1.10 format checksums all metadata (superblock, object headers, chunk indexes).
    check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110),
          "cannot select the HDF5 1.10 file format");
    file_ = checked(H5Fcreate(label.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose,
                    "cannot create the file in memory");
}

namespace {
/// The end-of-file address a version 2 or 3 superblock records (HDF5 file format specification,
/// "Superblock Format Version 2 and 3": signature, version, sizes of offsets and lengths, flags,
/// then the base, extension, end-of-file and root addresses): the closed file's length, the
/// driver's buffer having grown in 1 MiB steps past it.
std::size_t superblock_end_of_file(const char* p, std::size_t n) {
    static constexpr unsigned char signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    const auto byte = [p](std::size_t i) { return static_cast<unsigned char>(p[i]); };
    if (n < 48 || std::memcmp(p, signature, sizeof signature) != 0)
        fail("the closed file has no superblock");
    if ((byte(8) != 2 && byte(8) != 3) || byte(9) != 8)
        fail("the closed file's superblock is not version 2 or 3 with 8-byte addresses");
    std::uint64_t end = 0;
    for (int i = 7; i >= 0; --i)
        end = (end << 8) | byte(28 + std::size_t(i));
    if (end < 48 || end > n) fail("the closed file's length is out of range");
    return std::size_t(end);
}
} // namespace

FileImage MemoryFile::close() {
    check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "cannot complete the file");
    check(file_.close(), "cannot complete the file");
    auto& image = capture_->image;
    if (!image) fail("the closed file was not handed back");
    const std::size_t size = superblock_end_of_file(image.get(), capture_->allocated);
    return FileImage(image.release(), size);
}

// ---- reading ----------------------------------------------------------------------------------

void Budget::take(std::uint64_t bytes, const std::string& what) {
    if (bytes > left_)
        throw InputError(what + " claims " + std::to_string(bytes) +
                         " bytes of values, more than the file holds");
    left_ -= bytes;
}

const char* dtype_name(const NumericData& data) {
    return std::visit(
        [](const auto& v) { return Traits<typename std::decay_t<decltype(v)>::value_type>::name; },
        data);
}

Id open_file(const std::string& path, const std::string& kind, std::uint64_t& bytes) {
    struct stat sb {};
    if (::stat(path.c_str(), &sb) != 0)
        throw InputError("cannot open: " + std::string(std::strerror(errno)));
    if (!S_ISREG(sb.st_mode)) throw InputError("is not a regular file");
    const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
    if (is_hdf5 == 0) throw InputError("is not an HDF5 file (" + kind + " is one)");
    if (is_hdf5 < 0) check(-1, "cannot be read as HDF5");
    bytes = static_cast<std::uint64_t>(sb.st_size);
    return checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                   "is damaged or truncated: HDF5 cannot open it");
}

Id open_image(const std::vector<std::uint8_t>& bytes, const std::string& what) {
    // HDF5 refuses a name that another open file of the process already has.
    static std::atomic<unsigned long long> opened{0};
    const std::string name = "crossbarlab-image-" + std::to_string(::getpid()) + "-" +
                             std::to_string(opened.fetch_add(1));
    Id fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot set up reading " + what);
    check(H5Pset_fapl_core(fapl.get(), 1 << 16, 0), "cannot set up reading " + what);
    check(H5Pset_file_image(fapl.get(), const_cast<std::uint8_t*>(bytes.data()), bytes.size()),
          "cannot set up reading " + what);
    return checked(H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose,
                   what + " is damaged: HDF5 cannot open it");
}

bool exists(hid_t parent, const std::string& path) {
    // H5Lexists fails rather than answering "no" when a middle component is missing, so walk
    // the path one component at a time; only hard links count (a soft link can point anywhere).
    std::size_t end = 0;
    while (end != std::string::npos) {
        end = path.find('/', end + 1);
        const std::string prefix = path.substr(0, end);
        if (H5Lexists(parent, prefix.c_str(), H5P_DEFAULT) <= 0) {
            H5Eclear2(H5E_DEFAULT);
            return false;
        }
        H5L_info_t info{};
        if (H5Lget_info(parent, prefix.c_str(), &info, H5P_DEFAULT) < 0 ||
            info.type != H5L_TYPE_HARD) {
            H5Eclear2(H5E_DEFAULT);
            return false;
        }
    }
    return true;
}

Id open_group(hid_t parent, const std::string& path) {
    if (!exists(parent, path)) throw InputError("group " + path + " is missing");
    return checked(H5Gopen2(parent, path.c_str(), H5P_DEFAULT), H5Gclose,
                   path + " is not a readable group");
}

bool has_attribute(hid_t object, const std::string& name) {
    const htri_t rc = H5Aexists(object, name.c_str());
    if (rc < 0) fail("cannot look up attribute " + name);
    return rc > 0;
}

std::int64_t read_int64_attribute(hid_t object, const std::string& name) {
    return read_scalar_attribute<std::int64_t>(object, name);
}

std::uint64_t read_uint64_attribute(hid_t object, const std::string& name) {
    return read_scalar_attribute<std::uint64_t>(object, name);
}

double read_double_attribute(hid_t object, const std::string& name) {
    return read_scalar_attribute<double>(object, name);
}

std::string read_string_attribute(hid_t object, const std::string& name, Budget& budget) {
    Id a = open_attribute(object, name);
    Id type = checked(H5Aget_type(a.get()), H5Tclose, "cannot read the type of " + name);
    const std::size_t width = string_width(type.get(), "attribute " + name);
    Id space = checked(H5Aget_space(a.get()), H5Sclose, "cannot read the shape of " + name);
    if (!read_shape(space.get(), "attribute " + name).empty())
        throw InputError("attribute " + name + " must be a single string");
    budget.take(width, "attribute " + name);
    std::string buf(width, '\0');
    check(H5Aread(a.get(), type.get(), buf.data()), "cannot read attribute " + name);
    return unpack_string(buf.data(), width);
}

std::vector<std::string> read_strings_attribute(hid_t object, const std::string& name,
                                                Budget& budget) {
    Id a = open_attribute(object, name);
    Id type = checked(H5Aget_type(a.get()), H5Tclose, "cannot read the type of " + name);
    const std::size_t width = string_width(type.get(), "attribute " + name);
    Id space = checked(H5Aget_space(a.get()), H5Sclose, "cannot read the shape of " + name);
    const auto shape = read_shape(space.get(), "attribute " + name);
    if (shape.size() != 1 || shape[0] > max_attribute_strings)
        throw InputError("attribute " + name + " must be a list of at most " +
                         std::to_string(max_attribute_strings) + " strings");
    budget.take(byte_count(shape, width, "attribute " + name), "attribute " + name);
    std::string buf(shape[0] * width, '\0');
    if (!buf.empty())
        check(H5Aread(a.get(), type.get(), buf.data()), "cannot read attribute " + name);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < shape[0]; ++i)
        out.push_back(unpack_string(&buf[i * width], width));
    return out;
}

NumericArray read_numeric(hid_t parent, const std::string& path, Budget& budget) {
    Id ds = open_dataset(parent, path);
    Id type = checked(H5Dget_type(ds.get()), H5Tclose, "cannot read the type of " + path);
    Id space = checked(H5Dget_space(ds.get()), H5Sclose, "cannot read the shape of " + path);
    auto shape = read_shape(space.get(), path);
    const auto is = [&](hid_t t) { return H5Tequal(type.get(), t) > 0; };
    if (is(H5T_IEEE_F32LE)) return read_values<float>(ds.get(), shape, budget, path);
    if (is(H5T_IEEE_F64LE)) return read_values<double>(ds.get(), shape, budget, path);
    if (is(H5T_STD_U8LE)) return read_values<std::uint8_t>(ds.get(), shape, budget, path);
    if (is(H5T_STD_I32LE)) return read_values<std::int32_t>(ds.get(), shape, budget, path);
    if (is(H5T_STD_U32LE)) return read_values<std::uint32_t>(ds.get(), shape, budget, path);
    if (is(H5T_STD_U64LE)) return read_values<std::uint64_t>(ds.get(), shape, budget, path);
    if (is(H5T_STD_I64LE)) return read_values<std::int64_t>(ds.get(), shape, budget, path);
    H5Eclear2(H5E_DEFAULT);
    throw InputError(path + " has an element type sessions never store (only little-endian "
                            "float32/64, uint8, int32, uint32, int64, uint64)");
}

std::vector<std::string> read_strings(hid_t parent, const std::string& path, Budget& budget) {
    Id ds = open_dataset(parent, path);
    Id type = checked(H5Dget_type(ds.get()), H5Tclose, "cannot read the type of " + path);
    const std::size_t width = string_width(type.get(), path);
    Id space = checked(H5Dget_space(ds.get()), H5Sclose, "cannot read the shape of " + path);
    const auto shape = read_shape(space.get(), path);
    if (shape.size() != 1) throw InputError(path + " must be a 1-D list of strings");
    check_storage(ds.get(), width, path);
    budget.take(byte_count(shape, width, path), path);
    std::string buf(shape[0] * width, '\0');
    if (!buf.empty())
        check(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()),
              "cannot read " + path);
    std::vector<std::string> out;
    out.reserve(shape[0]);
    for (std::size_t i = 0; i < shape[0]; ++i)
        out.push_back(unpack_string(&buf[i * width], width));
    return out;
}

std::vector<Child> children(hid_t group, const std::string& what, std::size_t max_children) {
    struct Walk {
        std::vector<std::string> names;
        std::size_t max;
        std::string problem;
    } walk{{}, max_children, {}};
    const herr_t rc = H5Literate(
        group, H5_INDEX_NAME, H5_ITER_INC, nullptr,
        [](hid_t, const char* name, const H5L_info_t* info, void* data) -> herr_t {
            auto& w = *static_cast<Walk*>(data);
            if (info->type != H5L_TYPE_HARD) {
                w.problem = std::string(name) + " is a soft or external link";
                return 1;
            }
            if (w.names.size() >= w.max) {
                w.problem = "more than " + std::to_string(w.max) + " members";
                return 1;
            }
            w.names.emplace_back(name);
            return 0;
        },
        &walk);
    if (!walk.problem.empty()) throw InputError(what + ": " + walk.problem);
    if (rc < 0) fail("cannot list the members of " + what);
    std::vector<Child> out;
    for (const auto& name : walk.names) {
        Id obj = checked(H5Oopen(group, name.c_str(), H5P_DEFAULT), H5Oclose,
                         "cannot open " + what + "/" + name);
        const H5I_type_t type = H5Iget_type(obj.get());
        if (type == H5I_GROUP)
            out.push_back({name, Kind::group});
        else if (type == H5I_DATASET)
            out.push_back({name, Kind::dataset});
        else
            throw InputError(what + "/" + name + " is neither a group nor a dataset");
    }
    return out;
}

} // namespace cbl::h5
