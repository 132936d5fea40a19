/**
 * A small MCS policy for host tests, shaped like refpolicy's (policy.conf as `checkpolicy -F` writes
 * it): the file classes, process, filesystem; svirt_t may use svirt_image_t; unconfined_t may relabel;
 * and refpolicy's MCS constraints (`h1 dom h2` for file access, `l2 eq h2` for create/relabelto);
 * virtd_t starts guests as refpolicy lets it: setexec on itself, execute of qemu_exec_t, process
 * transition to svirt_t, and svirt_t enters through qemu_exec_t (entrypoint).
 */
export const HOST_TEST_POLICY = `
class security
class process
class filesystem
class file
class dir
class lnk_file
class chr_file
class blk_file
class sock_file
class fifo_file

sid kernel
sid security
sid unlabeled
sid fs
sid file

common file { ioctl read write create getattr setattr lock relabelfrom relabelto append unlink link rename execute open }

class security { compute_av }
class process { fork transition sigchld sigkill sigstop signull signal ptrace getattr dyntransition setexec }
class filesystem { mount remount unmount getattr relabelfrom relabelto associate }
class file inherits file { execute_no_trans entrypoint }
class dir inherits file { add_name remove_name reparent search rmdir }
class lnk_file inherits file
class chr_file inherits file
class blk_file inherits file
class sock_file inherits file
class fifo_file inherits file

sensitivity s0;
dominance { s0 }
${Array.from({ length: 1024 }, (_, i) => `category c${i};`).join('\n')}
level s0:c0.c1023;

mlsconstrain { file dir chr_file blk_file lnk_file sock_file fifo_file } { read write append getattr setattr ioctl lock open unlink execute relabelfrom }
  (( h1 dom h2 ) or ( t1 == mcs_constrained_type ) and ( h1 dom h2 ) or ( t1 != mcs_constrained_type ));
mlsconstrain { file dir chr_file blk_file lnk_file sock_file fifo_file } { create relabelto }
  (( h1 dom h2 ) and ( l2 eq h2 ));
mlsconstrain process { transition dyntransition sigkill sigstop signal ptrace }
  (( h1 dom h2 ) or ( t1 != mcs_constrained_type ));

attribute file_type;
attribute domain;
attribute mcs_constrained_type;

type svirt_t, domain, mcs_constrained_type;
type virtd_t, domain;
type unconfined_t, domain;
type init_t, domain;
type svirt_image_t, file_type;
type virt_image_t, file_type;
type virt_content_t, file_type;
type virt_var_lib_t, file_type;
type default_t, file_type;
type root_t, file_type;
type etc_t, file_type;
type shadow_t, file_type;
type device_t, file_type;
type kvm_device_t, file_type;
type qemu_exec_t, file_type;
type var_t, file_type;
type var_lib_t, file_type;
type fs_t;
type kernel_t, domain;

role object_r;
role system_r;
role unconfined_r;
role system_r types { svirt_t virtd_t init_t kernel_t };
role unconfined_r types { unconfined_t };

allow svirt_t svirt_image_t:{ file blk_file } { read write append getattr setattr ioctl lock open };
allow svirt_t virt_content_t:file { read getattr open };
allow svirt_t kvm_device_t:chr_file { read write ioctl open getattr };
allow svirt_t svirt_t:process { signal sigkill sigstop ptrace };
allow unconfined_t file_type:{ file dir chr_file blk_file } *;
allow unconfined_t domain:process *;
allow file_type fs_t:filesystem associate;
allow virtd_t self:process setexec;
allow virtd_t qemu_exec_t:file { execute read open };
allow virtd_t svirt_t:process transition;
allow svirt_t qemu_exec_t:file { entrypoint read execute };

user system_u roles { object_r system_r } level s0 range s0 - s0:c0.c1023;
user unconfined_u roles { object_r unconfined_r } level s0 range s0 - s0:c0.c1023;

sid kernel system_u:system_r:kernel_t:s0 - s0:c0.c1023
sid security system_u:object_r:default_t:s0
sid unlabeled system_u:object_r:default_t:s0
sid fs system_u:object_r:fs_t:s0
sid file system_u:object_r:default_t:s0
`;
