/*
 * Bosun's OpenCL host harness: builds one kernel, binds buffers as its arguments in order, runs
 * it a number of times and writes the output buffers back. The gpu agent validates the user's
 * JSON description in TypeScript and lowers it into the line plan below, so this program never
 * parses untrusted JSON.
 *
 * Plan (one item per line):
 *   source <path of the .cl file>
 *   kernel <name>
 *   global <d> <n0> [n1 n2]
 *   local <d> <n0> [n1 n2]       (optional; absent: the runtime picks)
 *   runs <r>
 *   buffer <element bytes> <count> <input file | -> <output file | ->
 *
 * Prints one JSON line: {"platform":…,"device":…,"kernel_ns":[…]}. Exit codes: 0 ok, 2 build
 * failed (the log on stderr), 3 no device, 1 anything else.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BUFFERS 64
#define MAX_RUNS 1000

struct buffer {
  size_t element_bytes, count;
  char input[4096], output[4096];
  void *host;
  cl_mem mem;
};

static void die(int code, const char *what, cl_int err) {
  fprintf(stderr, "harness: %s (OpenCL error %d)\n", what, (int)err);
  exit(code);
}

static void *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = malloc((size_t)n + 1);
  if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(data);
    return NULL;
  }
  data[n] = '\0';
  fclose(f);
  *size = (size_t)n;
  return data;
}

static void json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') printf("\\%c", *s);
    else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
    else putchar(*s);
  }
  putchar('"');
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <plan file>\n", argv[0]);
    return 1;
  }
  FILE *plan = fopen(argv[1], "r");
  if (!plan) die(1, "cannot open the plan", 0);
  char source_path[4096] = "", kernel_name[256] = "", line[9000];
  size_t global[3] = {0}, local[3] = {0};
  cl_uint dims = 0, local_dims = 0;
  int runs = 1, nbuffers = 0;
  static struct buffer buffers[MAX_BUFFERS];
  while (fgets(line, sizeof line, plan)) {
    if (sscanf(line, "source %4095s", source_path) == 1) continue;
    if (sscanf(line, "kernel %255s", kernel_name) == 1) continue;
    if (sscanf(line, "runs %d", &runs) == 1) continue;
    if (sscanf(line, "global %u %zu %zu %zu", &dims, &global[0], &global[1], &global[2]) >= 2) continue;
    if (sscanf(line, "local %u %zu %zu %zu", &local_dims, &local[0], &local[1], &local[2]) >= 2) continue;
    if (nbuffers < MAX_BUFFERS) {
      struct buffer *b = &buffers[nbuffers];
      if (sscanf(line, "buffer %zu %zu %4095s %4095s", &b->element_bytes, &b->count, b->input, b->output) == 4) {
        nbuffers++;
        continue;
      }
    }
    fprintf(stderr, "harness: cannot read plan line: %s", line);
    return 1;
  }
  fclose(plan);
  if (dims < 1 || dims > 3 || runs < 1 || runs > MAX_RUNS || !*kernel_name || !*source_path)
    die(1, "the plan lacks a source, kernel, global size or a valid run count", 0);

  cl_int err;
  cl_platform_id platform;
  cl_device_id device;
  cl_uint found = 0;
  if (clGetPlatformIDs(1, &platform, &found) != CL_SUCCESS || found == 0) die(3, "no OpenCL platform", 0);
  if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, &found) != CL_SUCCESS || found == 0)
    die(3, "no OpenCL device", 0);
  char platform_name[256] = "", device_name[256] = "";
  clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof platform_name, platform_name, NULL);
  clGetDeviceInfo(device, CL_DEVICE_NAME, sizeof device_name, device_name, NULL);

  cl_context context = clCreateContext(NULL, 1, &device, NULL, NULL, &err);
  if (err != CL_SUCCESS) die(1, "clCreateContext failed", err);
  cl_command_queue queue = clCreateCommandQueue(context, device, CL_QUEUE_PROFILING_ENABLE, &err);
  if (err != CL_SUCCESS) die(1, "clCreateCommandQueue failed", err);

  size_t source_size;
  char *source = read_file(source_path, &source_size);
  if (!source) die(1, "cannot read the kernel source", 0);
  const char *sources[] = {source};
  cl_program program = clCreateProgramWithSource(context, 1, sources, &source_size, &err);
  if (err != CL_SUCCESS) die(1, "clCreateProgramWithSource failed", err);
  if (clBuildProgram(program, 1, &device, NULL, NULL, NULL) != CL_SUCCESS) {
    size_t log_size = 0;
    clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, NULL, &log_size);
    char *log = malloc(log_size + 1);
    clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, log_size, log, NULL);
    log[log_size] = '\0';
    fputs(log, stderr);
    return 2;
  }
  cl_kernel kernel = clCreateKernel(program, kernel_name, &err);
  if (err != CL_SUCCESS) die(2, "the kernel is not in the program (clCreateKernel)", err);

  for (int i = 0; i < nbuffers; i++) {
    struct buffer *b = &buffers[i];
    size_t bytes = b->element_bytes * b->count;
    if (strcmp(b->input, "-") != 0) {
      size_t size;
      b->host = read_file(b->input, &size);
      if (!b->host || size != bytes) die(1, "an input file does not hold its buffer's bytes", 0);
    } else {
      b->host = calloc(b->count, b->element_bytes);
    }
    b->mem = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, NULL, &err);
    if (err != CL_SUCCESS) die(1, "clCreateBuffer failed", err);
    err = clSetKernelArg(kernel, (cl_uint)i, sizeof(cl_mem), &b->mem);
    if (err != CL_SUCCESS) die(1, "clSetKernelArg failed (does the kernel take this many buffer arguments?)", err);
  }

  printf("{\"platform\":");
  json_string(platform_name);
  printf(",\"device\":");
  json_string(device_name);
  printf(",\"kernel_ns\":[");
  for (int r = 0; r < runs; r++) {
    /* Every run starts from the same inputs, so a kernel that accumulates gives the same result. */
    for (int i = 0; i < nbuffers; i++) {
      struct buffer *b = &buffers[i];
      err = clEnqueueWriteBuffer(queue, b->mem, CL_TRUE, 0, b->element_bytes * b->count, b->host, 0, NULL, NULL);
      if (err != CL_SUCCESS) die(1, "clEnqueueWriteBuffer failed", err);
    }
    cl_event done;
    err = clEnqueueNDRangeKernel(queue, kernel, dims, NULL, global, local_dims ? local : NULL, 0, NULL, &done);
    if (err != CL_SUCCESS) die(1, "clEnqueueNDRangeKernel failed (are the sizes valid for this kernel?)", err);
    clWaitForEvents(1, &done);
    cl_ulong start = 0, end = 0;
    clGetEventProfilingInfo(done, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL);
    clGetEventProfilingInfo(done, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
    clReleaseEvent(done);
    printf("%s%llu", r ? "," : "", (unsigned long long)(end - start));
  }
  printf("]}\n");

  for (int i = 0; i < nbuffers; i++) {
    struct buffer *b = &buffers[i];
    if (strcmp(b->output, "-") == 0) continue;
    size_t bytes = b->element_bytes * b->count;
    err = clEnqueueReadBuffer(queue, b->mem, CL_TRUE, 0, bytes, b->host, 0, NULL, NULL);
    if (err != CL_SUCCESS) die(1, "clEnqueueReadBuffer failed", err);
    FILE *out = fopen(b->output, "wb");
    if (!out || fwrite(b->host, 1, bytes, out) != bytes) die(1, "cannot write an output file", 0);
    fclose(out);
  }
  return 0;
}
